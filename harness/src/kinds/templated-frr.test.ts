import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology } from '../topology/load.js';
import { frrView } from './templated-frr.js';

function labDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'h8-kinds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'r.frr.tmpl'), 'hostname {{ .SERVER_HOSTNAME }}\n!\nrouter bgp {{ .SITE_ASN }}\n bgp router-id {{ .ROUTER_ID }}\n');
  writeFileSync(join(dir, 'site.data'), "'canary.lab:ok:0\n");
  return dir;
}

const lab = (nodes: string) => `name: h8k
topology:
  defaults:
    config:
      vars:
        SITE_ASN: 64600
  nodes:
${nodes}`;

test('a templated FRR node renders its config from config.vars', async (t) => {
  const dir = labDir(t);
  writeFileSync(
    join(dir, 'lab.clab.yml'),
    lab(`    r1:
      kind: linux
      image: bgpdns-lab/frr
      startup-config: r.frr.tmpl
      config:
        vars:
          SERVER_HOSTNAME: r1
          ROUTER_ID: 198.18.255.1
`),
  );
  const loaded = await loadTopology(join(dir, 'lab.clab.yml'));
  const node = loaded.nodes[0];
  t.is(node.kind, 'templated-frr');
  t.is(frrView(loaded, node).settings['startup-config-inline'], 'hostname r1\n!\nrouter bgp 64600\n bgp router-id 198.18.255.1\n');
});

test('a missing variable fails the load naming node field, template line and variable', async (t) => {
  const dir = labDir(t);
  writeFileSync(
    join(dir, 'lab.clab.yml'),
    lab(`    r1:
      kind: linux
      image: bgpdns-lab/frr
      startup-config: r.frr.tmpl
      config:
        vars:
          SERVER_HOSTNAME: r1
`),
  );
  const err = await t.throwsAsync(loadTopology(join(dir, 'lab.clab.yml')));
  t.regex(err!.message, /topology\.nodes\.r1\.startup-config: .*r\.frr\.tmpl:4: variable "ROUTER_ID" has no value/);
});

test('an unused variable fails the load naming the lab file line', async (t) => {
  const dir = labDir(t);
  writeFileSync(
    join(dir, 'lab.clab.yml'),
    lab(`    r1:
      kind: linux
      image: bgpdns-lab/frr
      startup-config: r.frr.tmpl
      config:
        vars:
          SERVER_HOSTNAME: r1
          ROUTER_ID: 198.18.255.1
          ROUTERID: 198.18.255.1
`),
  );
  const err = await t.throwsAsync(loadTopology(join(dir, 'lab.clab.yml')));
  t.regex(err!.message, /lab\.clab\.yml:16: variable "ROUTERID" is not used by template .*r\.frr\.tmpl/);
});

test('a DNS host without its data bind or service address is refused with the field named', async (t) => {
  const dir = labDir(t);
  writeFileSync(
    join(dir, 'lab.clab.yml'),
    lab(`    dns-a:
      kind: linux
      image: bgpdns-lab/bgpdns-health
      startup-config: r.frr.tmpl
      env:
        DNS_SERVICE: bind9
        HEALTH_TIMEOUT_MS: 600
      config:
        vars:
          SERVER_HOSTNAME: dns-a
          ROUTER_ID: 198.18.255.11
`),
  );
  const err = await t.throwsAsync(loadTopology(join(dir, 'lab.clab.yml')));
  t.regex(err!.message, /topology\.nodes\.dns-a\.env\.DNS_SERVICE: unknown DNS service "bind9"; one of tinydns, bgpdns-dns, coredns/);
  t.regex(err!.message, /topology\.nodes\.dns-a\.binds: needs a bind "<tinydns data file>:\/etc\/tinydns\/data"/);
  t.regex(err!.message, /topology\.nodes\.dns-a\.config\.vars\.EXTERNAL_SIGNALLING_IP: the service address is required/);
  t.regex(err!.message, /topology\.nodes\.dns-a\.env\.HEALTH_CANARY: the canary name the health agent asks for is required/);
  t.regex(err!.message, /topology\.nodes\.dns-a\.env\.HEALTH_TIMEOUT_MS: must be shorter than HEALTH_INTERVAL_MS \(500\)/);
});
