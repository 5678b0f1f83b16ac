import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTemplate, templateVariables, TemplateError } from './go-template.js';
import { readTemplateVars, renderNodeConfig } from './node-config.js';

const seed = `hostname {{ .SERVER_HOSTNAME }}
!
router bgp {{ .SITE_ASN }}
neighbor {{ .SIGNALLING_ROUTER_IP }} remote-as {{ .SITE_ASN }}
neighbor {{.SIGNALLING_ROUTER_IP}} timers 3 12
ip route 198.18.128.0/18 {{ ._ROUTER_IP }}
`;

const values = { SERVER_HOSTNAME: 'dns-a', SITE_ASN: 64600, SIGNALLING_ROUTER_IP: '198.18.1.1', _ROUTER_IP: '198.18.2.1' };

test('renders the seed template variables, with and without spaces', (t) => {
  const out = renderTemplate('dns-host.frr.tmpl', seed, values);
  t.is(
    out,
    `hostname dns-a
!
router bgp 64600
neighbor 198.18.1.1 remote-as 64600
neighbor 198.18.1.1 timers 3 12
ip route 198.18.128.0/18 198.18.2.1
`,
  );
});

test('lists the variables a template uses with their first line', (t) => {
  t.deepEqual(
    [...templateVariables('x', seed)],
    [
      ['SERVER_HOSTNAME', 1],
      ['SITE_ASN', 3],
      ['SIGNALLING_ROUTER_IP', 4],
      ['_ROUTER_IP', 6],
    ],
  );
});

test('a missing variable names template, line and variable', (t) => {
  const { SIGNALLING_ROUTER_IP: _, ...partial } = values;
  const err = t.throws(() => renderTemplate('dns-host.frr.tmpl', seed, partial), { instanceOf: TemplateError });
  t.is(err.message, 'dns-host.frr.tmpl:4: variable "SIGNALLING_ROUTER_IP" has no value (give it in the node\'s config.vars)');
  t.is(err.line, 4);
  t.is(err.variable, 'SIGNALLING_ROUTER_IP');
});

test('an unused variable names the template, the variable and where it was given', (t) => {
  const err = t.throws(
    () =>
      renderTemplate('dns-host.frr.tmpl', seed, { ...values, BGP_PASWORD: 'x' }),
    { instanceOf: TemplateError },
  );
  t.is(err.message, 'variable "BGP_PASWORD" is not used by template dns-host.frr.tmpl (misspelt, or meant for another template?)');
  const located = t.throws(
    () => renderTemplate('t.tmpl', 'a {{ .A }}', { A: 1, B: 2 }, { origins: { B: { file: 'lab.clab.yml', line: 9 } } }),
    { instanceOf: TemplateError },
  );
  t.is(located.message, 'lab.clab.yml:9: variable "B" is not used by template t.tmpl (misspelt, or meant for another template?)');
  t.is(located.line, 9);
});

test('unsupported actions and unclosed braces are refused with the line', (t) => {
  t.throws(() => renderTemplate('t.tmpl', 'a\n{{ if .X }}y{{ end }}', { X: 1 }), {
    message: 't.tmpl:2: unsupported template action "{{ if .X }}": only {{ .NAME }} and {{/* comments */}} are supported',
  });
  t.throws(() => renderTemplate('t.tmpl', 'a\n\nb {{ .X ', { X: 1 }), { message: 't.tmpl:3: "{{" is never closed by "}}"' });
});

test('comments and Go whitespace trimming', (t) => {
  t.is(renderTemplate('t', 'a {{/* why */}}b', {}), 'a b');
  t.is(renderTemplate('t', 'x  \n {{- .A -}} \n y', { A: 'v' }), 'xvy');
});

test('node vars merge defaults < kind < group < node and keep their lab-file line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h8-tmpl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lab = join(dir, 'lab.clab.yml');
  writeFileSync(
    lab,
    `name: h8t
topology:
  defaults:
    config:
      vars:
        BGP_PASSWORD: d
  kinds:
    frr:
      config:
        vars:
          SITE_ASN: 1
  groups:
    site:
      config:
        vars:
          SITE_ASN: 64600
  nodes:
    dns-a:
      kind: frr
      group: site
      startup-config: t.tmpl
      config:
        vars:
          SERVER_HOSTNAME: dns-a
          EXTRA: 1
`,
  );
  const { values: v, origins } = readTemplateVars(lab, 'dns-a');
  t.deepEqual(v, { BGP_PASSWORD: 'd', SITE_ASN: 64600, SERVER_HOSTNAME: 'dns-a', EXTRA: 1 });
  t.is(origins.SITE_ASN.line, 16);
  t.is(origins.EXTRA.line, 25);
  writeFileSync(join(dir, 't.tmpl'), 'hostname {{ .SERVER_HOSTNAME }}\nrouter bgp {{ .SITE_ASN }}\n password {{ .BGP_PASSWORD }}\n');
  const err = t.throws(() => renderNodeConfig(lab, { name: 'dns-a', startupConfig: join(dir, 't.tmpl') }));
  t.regex(err!.message, /lab\.clab\.yml:25: variable "EXTRA" is not used by template .*t\.tmpl/);
});

test('a non-scalar var is refused naming file, line and key', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h8-tmpl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lab = join(dir, 'lab.clab.yml');
  writeFileSync(lab, 'name: x\ntopology:\n  nodes:\n    a:\n      config:\n        vars:\n          L: [1, 2]\n');
  t.throws(() => readTemplateVars(lab, 'a'), { message: /lab\.clab\.yml:7: topology\.nodes\.a\.config\.vars\.L must be a string, number or boolean/ });
});
