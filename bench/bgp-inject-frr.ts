/**
 * How fast `bgpdns inject` feeds FRR bgpd (-Z, log level critical, outbound
 * deny so bgpd does not echo the table) in a throwaway namespace pair (h3b…).
 * Time: injector Established → FRR's `show bgp summary json` counts every prefix.
 * Table: synthetic, lab ranges only (IPv4 ≤ 262,143 prefixes in 198.18.0.0/15).
 *
 *   node --import tsx bench/bgp-inject-frr.ts [--ipv4 N] [--ipv6 N] [--prefixes-per-path N]
 *
 * Last stdout line: one JSON object.
 */
import { parseArgs } from 'node:util';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startFrrPair, frrListenerConfig, OUR_V4 } from './_frr-netns-pair.js';
import { waitUntil } from '@bgpdns-lab/harness';

const { values } = parseArgs({ options: { ipv4: { type: 'string', default: '100000' }, ipv6: { type: 'string', default: '20000' }, 'prefixes-per-path': { type: 'string', default: '11' } } });
const ipv4 = Number(values.ipv4);
const ipv6 = Number(values.ipv6);
const bin = join(dirname(fileURLToPath(import.meta.url)), '../images/bgpdns/bin/bgpdns.js');

const config = frrListenerConfig('h3bench');

const pair = await startFrrPair('h3b', config);
try {
  const injector = pair.run(pair.speakerNs, [process.execPath, bin, 'inject', '--peer', '198.18.10.2', '--local-as', '64500', '--peer-as', '4200000001',
    '--router-id', OUR_V4, '--synthetic', '--ipv4', String(ipv4), '--ipv6', String(ipv6), '--prefixes-per-path', values['prefixes-per-path']!]);
  let establishedAt: number | undefined;
  let last = { v4: 0, v6: 0 };
  // One look every 20 ms: the injector still running, Established yet, FRR's counts once it is.
  const look = async () => {
    if (injector.proc.exitCode !== null) return 'exited';
    establishedAt ??= injector.events.some((e) => e.event === 'established') ? performance.now() : undefined;
    if (establishedAt === undefined) return 'connecting';
    const s = JSON.parse(await pair.vty.command('show bgp summary json')) as Record<string, { peers?: Record<string, { pfxRcd?: number }> }>;
    last = { v4: s.ipv4Unicast?.peers?.[OUR_V4]?.pfxRcd ?? 0, v6: s.ipv6Unicast?.peers?.[OUR_V4]?.pfxRcd ?? 0 };
    return last.v4 === ipv4 && last.v6 === ipv6 ? 'counted' : 'counting';
  };
  const { value: outcome } = await waitUntil(look, (v) => v === 'counted' || v === 'exited', {
    what: `FRR counts ${ipv4} + ${ipv6} prefixes`,
    timeout: 600_000,
    interval: 20,
    onTimeout: () => new Error(`FRR did not count ${ipv4} + ${ipv6} prefixes in 600 s (last ${JSON.stringify(last)}); injector: ${JSON.stringify(injector.events)} ${injector.stderr.join(' ')}`),
  });
  if (outcome === 'exited') throw new Error(`injector exited: ${injector.stderr.join(' ')}`);
  const seconds = (performance.now() - establishedAt!) / 1000;
  const eor = injector.events.find((e) => e.event === 'eor') as { seconds?: number; prefixes_per_s?: number } | undefined;
  console.log(JSON.stringify({
    bench: 'bgp-inject-frr',
    figures: {
      ipv4, ipv6, prefixes_per_path: Number(values['prefixes-per-path']), frr_counted_s: Math.round(seconds * 1000) / 1000, prefixes_per_s_into_frr: Math.round((ipv4 + ipv6) / seconds),
      injector_send_s: eor?.seconds, injector_send_prefixes_per_s: eor?.prefixes_per_s,
    },
  }));
} finally {
  await pair.stop();
}
