/**
 * The telecom design's policies, checked on the wire (labs/anycast): what each
 * partner receives and with which attributes, what the signalling routers make of
 * partner routes, route reflection, the seed's timers, and that the BGP passwords
 * really are TCP MD5 on this kernel.
 */
import test, { type ExecutionContext, type TryResult } from 'ava';
import { loadTopology, deploy, type LabHandle, frr, closeVtyClients, waitUntil } from '@bgpdns-lab/harness';
import { LAB_FILE, PARTNERS, SERVICE } from './anycast-lab.js';

const LAB = 'anycast-pol';
let lab: LabHandle;

interface TableRoute {
  metric?: number;
  path: string;
  peerId: string;
  bestpath?: boolean;
  valid?: boolean;
  nexthops: { ip: string }[];
}
interface PathDetail {
  locPrf?: number;
  metric?: number;
  community?: { list: string[] };
  clusterList?: { list: string[] };
  originatorId?: string;
  valid?: boolean;
  peer: { peerId: string; type: string };
  nexthops: { ip: string; accessible?: boolean }[];
}

const PARTNER_PREFIX: Record<string, string> = { comfone: '198.18.21.0/24', sparkle: '198.18.22.0/24', future: '198.18.23.0/24' };
const PARTNER_AS: Record<string, string> = { comfone: '64512', sparkle: '64513', future: '4200000512' };

/**
 * Run a block of snapshot assertions until they all hold (the routers are still
 * converging right after deploy), like a wait-until: a passing attempt is kept at
 * once; after `timeoutMs` the last failing attempt is kept, so its failures show.
 */
async function eventually(t: ExecutionContext, body: (tt: ExecutionContext) => Promise<void>, timeoutMs = 20_000): Promise<void> {
  let attempt: TryResult | undefined;
  const tryOnce = async () => {
    attempt?.discard();
    attempt = await t.try(body);
    return attempt.passed;
  };
  // On timeout the last failing attempt is committed below: its failures are the report.
  await waitUntil(tryOnce, (passed) => passed, { what: `${t.title}: snapshot assertions hold`, timeout: timeoutMs, interval: 250 }).catch(() => undefined);
  attempt!.commit();
}

test.before(async () => {
  const model = await loadTopology(LAB_FILE);
  model.name = LAB;
  lab = await deploy(model);
  // Converged: every partner holds the service from both sites, every site router every partner prefix.
  await Promise.all(
    PARTNERS.map((p) =>
      waitUntil(
        () => frr(lab.node(p.router)).prefixPaths(SERVICE),
        (paths) => paths.length === 2 || `${paths.length} path(s)`,
        { what: `${p.router} has ${SERVICE} from both sites`, timeout: 30_000, interval: 50 },
      ),
    ),
  );
  for (const sig of ['sig-a', 'sig-b']) {
    await waitUntil(
      () => frr(lab.node(sig)).json<{ routes: Record<string, unknown> }>('show bgp ipv4 unicast json'),
      (t) => Object.values(PARTNER_PREFIX).every((p) => p in t.routes) || `routes: ${Object.keys(t.routes).join(', ')}`,
      { what: `${sig} has every partner prefix`, timeout: 30_000, interval: 50 },
    );
  }
});

test.after.always(async () => {
  await closeVtyClients();
  await lab?.destroy();
});

for (const p of PARTNERS) {
  test.serial(`${p.router} receives only the service /32, from both sites, MED 100 (site A) and 200 (site B), best via site A`, (t) =>
    eventually(t, async (t) => {
      const table = await frr(lab.node(p.router)).json<{ routes: Record<string, TableRoute[]> }>('show bgp ipv4 unicast json');
      const received = Object.keys(table.routes).filter((prefix) => table.routes[prefix].some((r) => r.peerId !== '(unspec)'));
      t.deepEqual(received, [SERVICE], 'ALLOWED_PREFIXES: no other partner prefix, no internal aggregate reaches a partner');
      const paths = table.routes[SERVICE];
      const bySite = Object.fromEntries(paths.map((r) => [r.peerId, r]));
      t.like(bySite[p.viaSite['site-a']], { metric: 100, path: '64600', bestpath: true });
      t.like(bySite[p.viaSite['site-b']], { metric: 200, path: '64600' });
      t.falsy(bySite[p.viaSite['site-b']].bestpath);
      // What the signalling router sends, as it says it: only the /32 with the site's MED.
      const adv = await frr(lab.node('sig-a')).json<{ advertisedRoutes: Record<string, { metric: number }> }>(
        `show bgp ipv4 unicast neighbors ${p.router === 'comfone' ? '198.18.11.2' : p.router === 'sparkle' ? '198.18.13.2' : '198.18.15.2'} advertised-routes json`,
      );
      t.deepEqual(Object.keys(adv.advertisedRoutes), [SERVICE]);
      t.is(adv.advertisedRoutes[SERVICE].metric, 100);
    }));
}

test.serial('communities SITE_ASN:100 (Comfone) and SITE_ASN:200 (Sparkle) map to local-preference 200; the future partner keeps 100', (t) =>
  eventually(t, async (t) => {
    for (const sig of ['sig-a', 'sig-b']) {
      for (const [partner, want] of [
        ['comfone', { lp: 200, community: ['64600:100'] }],
        ['sparkle', { lp: 200, community: ['64600:200'] }],
        ['future', { lp: 100, community: undefined }],
      ] as const) {
        const detail = await frr(lab.node(sig)).json<{ paths: PathDetail[] }>(`show bgp ipv4 unicast ${PARTNER_PREFIX[partner]} json`);
        const direct = detail.paths.find((x) => x.peer.type === 'external')!;
        t.truthy(direct, `${sig} learned ${partner}'s prefix directly`);
        // FRR shows no locPrf for an eBGP path nothing set it on: best-path uses the default, 100.
        t.is(direct.locPrf ?? 100, want.lp, `${sig}: ${partner} local-preference`);
        t.deepEqual(direct.community?.list, want.community, `${sig}: ${partner} communities`);
      }
    }
}));

test.serial('the 4-octet ASN partner peers and is seen with its full AS number', (t) =>
  eventually(t, async (t) => {
    const peers = await frr(lab.node('sig-a')).bgpPeers();
    const future = peers.get('ipv4Unicast 198.18.15.2')!;
    t.is(future.remoteAs, 4200000512);
    t.is(future.state, 'Established');
    const detail = await frr(lab.node('sig-a')).json<{ paths: { aspath: { string: string } }[] }>(`show bgp ipv4 unicast ${PARTNER_PREFIX.future} json`);
    t.is(detail.paths[0].aspath.string, PARTNER_AS.future);
}));

test.serial('route reflection: rr has three clients (cluster-id 198.18.255.3), the sites reflect for their DNS host with next-hop-self', (t) =>
  eventually(t, async (t) => {
    const rr = await frr(lab.node('rr')).json<Record<string, { bgpState: string; addressFamilyInfo: { ipv4Unicast: { routeReflectorClient?: boolean; routerAlwaysNextHop?: boolean } } }>>('show bgp neighbors json');
    const clients = Object.entries(rr).filter(([, n]) => n.addressFamilyInfo.ipv4Unicast.routeReflectorClient);
    t.deepEqual(clients.map(([a]) => a).sort(), ['198.18.5.2', '198.18.6.2', '198.18.7.2']);
    for (const [addr, n] of clients) t.is(n.bgpState, 'Established', `rr client ${addr}`);
    // A partner prefix learned at one site reaches the other site through the reflector (the one
    // whose path the reflector did not pick as best gets it): cluster list and originator show it.
    const sites = { 'sig-a': { peerRr: '198.18.5.1', routerId: '198.18.255.1', rrLink: '198.18.5.2' }, 'sig-b': { peerRr: '198.18.6.1', routerId: '198.18.255.2', rrLink: '198.18.6.2' } };
    const reflected: { at: string; path: PathDetail }[] = [];
    for (const [sig, me] of Object.entries(sites)) {
      const detail = await frr(lab.node(sig)).json<{ paths: PathDetail[] }>(`show bgp ipv4 unicast ${PARTNER_PREFIX.comfone} json`);
      for (const path of detail.paths) if (path.peer.peerId === me.peerRr) reflected.push({ at: sig, path });
    }
    t.is(reflected.length, 1, 'exactly one site holds the reflected copy');
    const other = reflected[0].at === 'sig-a' ? sites['sig-b'] : sites['sig-a'];
    t.deepEqual(reflected[0].path.clusterList?.list, ['198.18.255.3']);
    t.is(reflected[0].path.originatorId, other.routerId);
    t.is(reflected[0].path.nexthops[0].ip, other.rrLink, 'the other site set itself as next hop (next-hop-self towards the reflector)');
    t.true(reflected[0].path.valid, 'the backup path is usable (the sites reach each other through rr)');
    // The DNS host (client of its signalling router) gets partner prefixes with the signalling router as next hop.
    const atDnsA = await frr(lab.node('dns-a')).json<{ paths: PathDetail[] }>(`show bgp ipv4 unicast ${PARTNER_PREFIX.sparkle} json`);
    t.is(atDnsA.paths[0].nexthops[0].ip, '198.18.1.1');
}));

test.serial('the seed timers: keepalive 3 s, hold 12 s, advertisement-interval 1 s on the DNS host session', (t) =>
  eventually(t, async (t) => {
    const n = await frr(lab.node('dns-a')).json<Record<string, Record<string, number | string>>>('show bgp neighbors 198.18.1.1 json');
    t.like(n['198.18.1.1'], {
      bgpState: 'Established',
      bgpTimerHoldTimeMsecs: 12_000,
      bgpTimerKeepAliveIntervalMsecs: 3000,
      minBtwnAdvertisementRunsTimerMsecs: 1000,
    });
}));

test.serial('the internal aggregates (the seed RFC 1918 routes in lab space) route to the core', (t) =>
  eventually(t, async (t) => {
    const routes = await frr(lab.node('dns-a')).json<Record<string, { protocol: string; nexthops: { ip: string }[] }[]>>('show ip route static json', 'zebra');
    t.deepEqual(Object.keys(routes).sort(), ['198.19.0.0/17', '198.19.128.0/18', '198.19.192.0/19']);
    for (const r of Object.values(routes)) t.is(r[0].nexthops[0].ip, '198.18.3.1');
    const core = await frr(lab.node('core')).json<{ routes: Record<string, unknown> }>('show bgp ipv4 unicast json');
    t.true(['198.19.0.0/17', '198.19.128.0/18', '198.19.192.0/19'].every((p) => p in core.routes), 'the core announces the aggregates');
}));

test.serial('BGP passwords are TCP MD5: a wrong password keeps the session down and the kernel counts MD5 failures', async (t) => {
  t.timeout(60_000);
  const md5Failures = async (node: string): Promise<number> => {
    const r = await lab.node(node).exec(['cat', '/proc/net/netstat']);
    const [names, values] = r.stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
    const i = names.split(' ').indexOf('TCPMD5Failure');
    return Number(values.split(' ')[i]);
  };
  const before = (await md5Failures('sig-a')) + (await md5Failures('comfone'));
  const comfone = frr(lab.node('comfone'));
  await comfone.vty().configure(['router bgp 64512', 'neighbor 198.18.11.1 password not-the-password']);
  t.teardown(() => comfone.vty().configure(['router bgp 64512', 'neighbor 198.18.11.1 password comfone-md5']).catch(() => undefined));
  const failed = await waitUntil(
    async () => ({ md5: (await md5Failures('sig-a')) + (await md5Failures('comfone')), peers: await frr(lab.node('sig-a')).bgpPeers() }),
    (s) => (s.md5 > before && s.peers.get('ipv4Unicast 198.18.11.2')?.state !== 'Established') || `MD5 failures ${s.md5 - before}, session ${s.peers.get('ipv4Unicast 198.18.11.2')?.state}`,
    { what: 'the mismatched password rejected by the kernel', timeout: 20_000, interval: 100 },
  );
  t.true(failed.value.md5 > before);
  await comfone.vty().configure(['router bgp 64512', 'neighbor 198.18.11.1 password comfone-md5']);
  await waitUntil(
    () => frr(lab.node('sig-a')).bgpPeers(),
    (peers) => peers.get('ipv4Unicast 198.18.11.2')?.state === 'Established' || `session ${peers.get('ipv4Unicast 198.18.11.2')?.state}`,
    { what: 'the session re-established with the right password', timeout: 40_000, interval: 100 },
  );
  t.pass();
});
