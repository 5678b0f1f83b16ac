/**
 * Our speaker against real FRR bgpd (8.4) in a throwaway pair of namespaces
 * (h3s<pid> runs our code, h3f<pid> runs bgpd -Z). Passive: FRR dials our
 * listener over IPv4 and IPv6 with a 4-octet ASN and its routes arrive.
 * Active: `bgpdns inject` feeds FRR, whose `show bgp summary json` counts them.
 * Everything is torn down even when a step fails.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { VtyClient } from '../frr/vty-client.js';
import { waitUntil } from '../../../../harness/src/wait/wait-until.js';

const here = dirname(fileURLToPath(import.meta.url));
const bgpdnsBin = join(here, '../../bin/bgpdns.js');
const speakerNs = `h3s${process.pid}`;
const frrNs = `h3f${process.pid}`;
const FRR_AS = 4200000001;
const OUR_AS = 64500;

interface Child {
  proc: ChildProcess;
  events: Record<string, unknown>[];
  stderr: string[];
}

const children: Child[] = [];
let frrDir = '';
let vty: VtyClient | undefined;

function start(ns: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const child: Child = { proc, events: [], stderr: [] };
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      child.events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      child.events.push({ event: 'text', line });
    }
  });
  createInterface({ input: proc.stderr! }).on('line', (line) => child.stderr.push(line));
  children.push(child);
  return child;
}

async function stopChild(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const exited = new Promise((resolve) => c.proc.once('exit', resolve));
  c.proc.kill('SIGTERM');
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

const frrConfig = `hostname h3frr
log file ${'{DIR}'}/bgpd.log errors
router bgp ${FRR_AS}
 bgp router-id 198.18.10.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.18.10.1 remote-as ${OUR_AS}
 neighbor 198.18.10.1 timers 3 9
 neighbor 198.18.10.1 timers connect 1
 neighbor 2001:db8:10::1 remote-as ${OUR_AS}
 neighbor 2001:db8:10::1 timers 3 9
 neighbor 2001:db8:10::1 timers connect 1
 address-family ipv4 unicast
  network 198.18.100.0/24
  network 198.18.101.0/24
 exit-address-family
 address-family ipv6 unicast
  neighbor 198.18.10.1 activate
  neighbor 2001:db8:10::1 activate
  network 2001:db8:100::/48
 exit-address-family
`;

test.before(async () => {
  await $`ip netns add ${speakerNs}`;
  await $`ip netns add ${frrNs}`;
  await $`ip link add h3a${process.pid} netns ${speakerNs} type veth peer name h3b${process.pid} netns ${frrNs}`;
  for (const [ns, dev, v4, v6] of [[speakerNs, `h3a${process.pid}`, '198.18.10.1/30', '2001:db8:10::1/64'], [frrNs, `h3b${process.pid}`, '198.18.10.2/30', '2001:db8:10::2/64']]) {
    await $`ip -n ${ns} link set lo up`;
    await $`ip -n ${ns} addr add ${v4} dev ${dev}`;
    await $`ip -n ${ns} addr add ${v6} dev ${dev} nodad`;
    await $`ip -n ${ns} link set ${dev} up`;
  }
  frrDir = await mkdtemp(join(tmpdir(), 'h3frr-'));
  await writeFile(join(frrDir, 'bgpd.conf'), frrConfig.replace('{DIR}', frrDir));
  const { stdout } = await $`id -u frr`;
  const { stdout: gid } = await $`id -g frr`;
  await chown(frrDir, Number(stdout.trim()), Number(gid.trim()));
  await chown(join(frrDir, 'bgpd.conf'), Number(stdout.trim()), Number(gid.trim()));
  start(frrNs, ['/usr/lib/frr/bgpd', '-f', join(frrDir, 'bgpd.conf'), '-i', join(frrDir, 'bgpd.pid'), '-z', join(frrDir, 'zserv.api'),
    '--vty_socket', frrDir, '-P', '0', '-Z', '--log-level', 'critical']);
  vty = new VtyClient(join(frrDir, 'bgpd.vty'));
  await waitUntil(() => vty!.command('show version'), (out) => out.includes('FRRouting'), { what: 'FRR bgpd answering on its vty socket', timeout: 15_000 });
});

test.after.always(async () => {
  await vty?.close().catch(() => undefined);
  for (const c of children) await stopChild(c);
  await $`ip netns del ${speakerNs}`.nothrow();
  await $`ip netns del ${frrNs}`.nothrow();
  if (frrDir) await rm(frrDir, { recursive: true, force: true });
});

test.serial('passive: FRR (AS 4200000001) connects over IPv4 and IPv6 and its routes arrive', async (t) => {
  const probe = start(speakerNs, [process.execPath, '--import', 'tsx', join(here, 'listen-probe.ts'), JSON.stringify({
    routerId: '198.18.10.1', localAs: OUR_AS, peers: [{ address: '198.18.10.2', peerAs: FRR_AS }, { address: '2001:db8:10::2', peerAs: FRR_AS }],
  })]);
  t.teardown(() => stopChild(probe));
  const want = (e: Record<string, unknown>) => probe.events.filter((x) => Object.entries(e).every(([k, v]) => x[k] === v));
  await waitUntil(() => probe.events, () => want({ event: 'endOfRib' }).length >= 3 || `events so far: ${JSON.stringify(probe.events)} ${probe.stderr.join(' ')}`,
    { what: 'End-of-RIB from FRR on both sessions', timeout: 30_000, interval: 100 });
  const established = want({ event: 'established' });
  t.is(established.length, 2);
  for (const e of established) t.like(e, { fourOctetAs: true, peerAs: FRR_AS, holdTime: 9 });
  const v4 = want({ event: 'update', peer: '198.18.10.2' }).filter((u) => (u.prefixes as string[]).length);
  const v4Prefixes = v4.flatMap((u) => u.prefixes as string[]).sort();
  t.true(v4Prefixes.includes('198.18.100.0/24') && v4Prefixes.includes('198.18.101.0/24'), JSON.stringify(v4));
  const fromV4 = v4.find((u) => (u.prefixes as string[]).includes('198.18.100.0/24'))!;
  t.deepEqual(fromV4.asPath, [FRR_AS]);
  t.is(fromV4.nextHop, '198.18.10.2');
  const v6 = want({ event: 'update', peer: '2001:db8:10::2' }).find((u) => (u.prefixes as string[]).includes('2001:db8:100::/48'));
  t.truthy(v6, JSON.stringify(want({ event: 'update' })));
  t.deepEqual(v6!.asPath, [FRR_AS]);
  t.is(v6!.nextHop, '2001:db8:10::2');
  t.deepEqual(want({ event: 'update' }).flatMap((u) => u.issues as string[]), []);
  await stopChild(probe);
});

test.serial('active: bgpdns inject feeds FRR; show bgp summary json counts every prefix', async (t) => {
  const ipv4 = 20_000;
  const ipv6 = 5_000;
  const injector = start(speakerNs, [process.execPath, bgpdnsBin, 'inject', '--peer', '198.18.10.2', '--local-as', String(OUR_AS),
    '--peer-as', String(FRR_AS), '--router-id', '198.18.10.1', '--hold-time', '9', '--synthetic', '--ipv4', String(ipv4), '--ipv6', String(ipv6)]);
  t.teardown(() => stopChild(injector));
  const established = await waitUntil(() => injector.events, (ev) => ev.some((e) => e.event === 'established') || `${JSON.stringify(ev)} ${injector.stderr.join(' ')}`,
    { what: 'injector session Established', timeout: 30_000, interval: 20 });
  const summary = await waitUntil(
    async () => JSON.parse(await vty!.command('show bgp summary json')) as Record<string, { peers?: Record<string, { pfxRcd?: number }> }>,
    (s) => (s.ipv4Unicast?.peers?.['198.18.10.1']?.pfxRcd === ipv4 && s.ipv6Unicast?.peers?.['198.18.10.1']?.pfxRcd === ipv6)
      || `pfxRcd ipv4 ${s.ipv4Unicast?.peers?.['198.18.10.1']?.pfxRcd} ipv6 ${s.ipv6Unicast?.peers?.['198.18.10.1']?.pfxRcd}`,
    { what: `FRR counting ${ipv4} + ${ipv6} prefixes from the injector`, timeout: 60_000, interval: 50 },
  );
  const seconds = (summary.at - established.at) / 1000;
  t.log(`FRR received ${ipv4 + ipv6} prefixes ${seconds.toFixed(2)} s after Established (${Math.round((ipv4 + ipv6) / seconds)} prefixes/s)`);
  const eor = injector.events.find((e) => e.event === 'eor');
  t.like(eor, { prefixes: ipv4 + ipv6 });
  // A route as FRR sees it: our AS first, our address as next hop.
  const route = JSON.parse(await vty!.command('show bgp ipv4 unicast 198.18.0.0/15 longer-prefixes json')) as { routes?: Record<string, { path?: string; nexthops?: { ip: string }[] }[]> };
  const first = Object.values(route.routes ?? {})[0]?.[0];
  t.truthy(first, 'FRR shows routes under 198.18.0.0/15');
  t.regex(first!.path ?? '', new RegExp(`^${OUR_AS}( |$)`));
  t.is(first!.nexthops?.[0]?.ip, '198.18.10.1');
  t.true(injector.proc.exitCode === null, 'the injector stays up after End-of-RIB');
});
