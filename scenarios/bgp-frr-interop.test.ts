/**
 * Our BGP speaker (images/bgpdns) against real FRR bgpd 8.4 in a lab made by deploy()
 * (harness/testing/labs/bgp-interop: node "speaker" runs our code, node "frr" the frr kind).
 * Passive: FRR dials our listener over IPv4 and IPv6 with a 4-octet ASN and its routes
 * arrive. Active: `bgpdns inject` feeds FRR, whose `show bgp summary json` counts them.
 * The lab is destroyed even when a step fails.
 *
 * It lives here, not beside the speaker in images/bgpdns, because it needs a deployed
 * lab and images/bgpdns must never import the harness; scenarios/ may use both.
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { waitUntil, frr as frrControl, type FrrControl, type LabHandle, type DeployedNode } from '@bgpdns-lab/harness';
import { deployTestLab, destroyTestLab, spawnWatched, type WatchedProcess } from '@bgpdns-lab/harness/testing';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const LAB_FILE = join(REPO, 'harness/testing/labs/bgp-interop/bgp-interop.clab.yml');
const bgpdnsBin = join(REPO, 'images/bgpdns/bin/bgpdns.js');
const listenProbe = join(REPO, 'images/bgpdns/testing/bgp/listen-probe.ts');
const FRR_AS = 4200000001;
const OUR_AS = 64500;

let lab: LabHandle;
let speaker: DeployedNode;
let vty: FrrControl;

test.before(async () => {
  lab = await deployTestLab(LAB_FILE);
  speaker = lab.node('speaker');
  vty = frrControl(lab.node('frr'));
});

test.after.always(async () => {
  await destroyTestLab(lab);
});

/** Runs a node process from the repository (so `--import tsx` resolves) beside the speaker node; stopped at the test's end. */
async function run(t: ExecutionContext, name: string, argv: string[]): Promise<WatchedProcess> {
  const p = await spawnWatched(speaker, name, argv, { cwd: REPO, placement: 'beside' });
  t.teardown(() => p.proc.stop(3000));
  return p;
}

test.serial('passive: FRR (AS 4200000001) connects over IPv4 and IPv6 and its routes arrive', async (t) => {
  const probe = await run(t, 'listen-probe', [process.execPath, '--import', 'tsx', listenProbe, JSON.stringify({
    routerId: '198.18.10.1', localAs: OUR_AS, peers: [{ address: '198.18.10.2', peerAs: FRR_AS }, { address: '2001:db8:10::2', peerAs: FRR_AS }],
  })]);
  const want = (e: Record<string, unknown>) => probe.events().filter((x) => Object.entries(e).every(([k, v]) => x[k] === v));
  await waitUntil(() => probe.events(), () => want({ event: 'endOfRib' }).length >= 3 || `output so far: ${probe.text()}`,
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
  // Over the IPv6 session FRR may send IPv4 routes with NEXT_HOP 0.0.0.0 (a bgpd without zebra
  // always did: it knows no IPv4 address of its own): unusable (RFC 4271 §6.3), so treat-as-withdraw —
  // FRR as a receiver calls it a martian next hop too. Those may be the only issues; the IPv4
  // session delivers the same prefixes intact.
  const flagged = want({ event: 'update' }).filter((u) => (u.issues as string[]).length > 0);
  t.true(flagged.every((u) => u.peer === '2001:db8:10::2' && (u.issues as string[]).every((i) => /next hop 0\.0\.0\.0 /.test(i))), JSON.stringify(flagged));
  await probe.proc.stop(3000);
});

test.serial('active: bgpdns inject feeds FRR; show bgp summary json counts every prefix', async (t) => {
  const ipv4 = 20_000;
  const ipv6 = 5_000;
  const injector = await run(t, 'inject', [process.execPath, bgpdnsBin, 'inject', '--peer', '198.18.10.2', '--local-as', String(OUR_AS),
    '--peer-as', String(FRR_AS), '--router-id', '198.18.10.1', '--hold-time', '9', '--synthetic', '--ipv4', String(ipv4), '--ipv6', String(ipv6)]);
  const established = await waitUntil(() => injector.events(), (ev) => ev.some((e) => e.event === 'established') || `output so far: ${injector.text()}`,
    { what: 'injector session Established', timeout: 30_000, interval: 20 });
  const summary = await waitUntil(
    async () => JSON.parse(await vty.command('show bgp summary json')) as Record<string, { peers?: Record<string, { pfxRcd?: number }> }>,
    (s) => (s.ipv4Unicast?.peers?.['198.18.10.1']?.pfxRcd === ipv4 && s.ipv6Unicast?.peers?.['198.18.10.1']?.pfxRcd === ipv6)
      || `pfxRcd ipv4 ${s.ipv4Unicast?.peers?.['198.18.10.1']?.pfxRcd} ipv6 ${s.ipv6Unicast?.peers?.['198.18.10.1']?.pfxRcd}`,
    { what: `FRR counting ${ipv4} + ${ipv6} prefixes from the injector`, timeout: 60_000, interval: 50 },
  );
  const seconds = (summary.at - established.at) / 1000;
  t.log(`FRR received ${ipv4 + ipv6} prefixes ${seconds.toFixed(2)} s after Established (${Math.round((ipv4 + ipv6) / seconds)} prefixes/s)`);
  const eor = injector.events().find((e) => e.event === 'eor');
  t.like(eor, { prefixes: ipv4 + ipv6 });
  // A route as FRR sees it: our AS first, our address as next hop.
  const route = JSON.parse(await vty.command('show bgp ipv4 unicast 198.18.0.0/15 longer-prefixes json')) as { routes?: Record<string, { path?: string; nexthops?: { ip: string }[] }[]> };
  const first = Object.values(route.routes ?? {})[0]?.[0];
  t.truthy(first, 'FRR shows routes under 198.18.0.0/15');
  t.regex(first!.path ?? '', new RegExp(`^${OUR_AS}( |$)`));
  t.is(first!.nexthops?.[0]?.ip, '198.18.10.1');
  t.is(injector.exit(), undefined, 'the injector stays up after End-of-RIB');

  // Killed without a NOTIFICATION: FRR must not keep our routes as graceful-restart stale
  // (we advertise GR with no families and restart time 0) — only its own networks remain.
  const killedAt = performance.now();
  injector.proc.signal('SIGKILL');
  const learnedFromUs = async (): Promise<number> => {
    let n = 0;
    for (const cmd of ['show bgp ipv4 unicast 198.18.0.0/15 longer-prefixes json', 'show bgp ipv6 unicast 2001:db8::/32 longer-prefixes json']) {
      const table = JSON.parse(await vty.command(cmd)) as { routes?: Record<string, { peerId?: string }[]> };
      for (const paths of Object.values(table.routes ?? {})) n += paths.filter((p) => p.peerId === '198.18.10.1').length;
    }
    return n;
  };
  await waitUntil(learnedFromUs, (n) => n === 0 || `${n} paths from 198.18.10.1 still in FRR's table`,
    { what: 'FRR dropping the killed injector\'s routes', timeout: 15_000, interval: 50 });
  t.log(`routes gone ${Math.round(performance.now() - killedAt)} ms after the injector was killed`);
});

test.serial('active: bgpdns inject --mrt (a gzip TABLE_DUMP_V2 file written by --write-mrt) feeds FRR', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h3-mrt-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'table.mrt.gz');
  const writer = await run(t, 'write-mrt', [process.execPath, bgpdnsBin, 'inject', '--synthetic', '--ipv4', '3000', '--ipv6', '1000', '--seed', '8', '--write-mrt', file]);
  // Polled, not awaited alone: the runtime unrefs its children, so a bare await would let the test process end.
  const { value: code } = await waitUntil(() => writer.exit(), (c) => c !== undefined, { what: 'inject --write-mrt finished', timeout: 60_000, interval: 50 });
  t.is(code, 0, writer.text());
  const injector = await run(t, 'inject-mrt', [process.execPath, bgpdnsBin, 'inject', '--peer', '198.18.10.2', '--local-as', String(OUR_AS),
    '--peer-as', String(FRR_AS), '--router-id', '198.18.10.1', '--mrt', file]);
  await waitUntil(
    async () => JSON.parse(await vty.command('show bgp summary json')) as Record<string, { peers?: Record<string, { pfxRcd?: number }> }>,
    (s) => (s.ipv4Unicast?.peers?.['198.18.10.1']?.pfxRcd === 3000 && s.ipv6Unicast?.peers?.['198.18.10.1']?.pfxRcd === 1000)
      || `pfxRcd ipv4 ${s.ipv4Unicast?.peers?.['198.18.10.1']?.pfxRcd} ipv6 ${s.ipv6Unicast?.peers?.['198.18.10.1']?.pfxRcd}; injector: ${injector.text()}`,
    { what: 'FRR counting the MRT file\'s 3000 + 1000 prefixes', timeout: 60_000, interval: 50 },
  );
  t.like(injector.events().find((e) => e.event === 'mrt'), { entries: 4000 });
  t.falsy(injector.events().find((e) => e.event === 'warning'), 'a synthetic dump lies inside the lab ranges');
});
