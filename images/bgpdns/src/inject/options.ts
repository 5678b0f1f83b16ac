/** `bgpdns inject` options: parsed and validated, each error naming its flag. */
import { parseArgs } from 'node:util';
import net from 'node:net';
import { parseIpv4 } from '../bgp/addresses.js';
import { MAX_IPV4_PREFIXES, MAX_IPV6_PREFIXES } from './synthetic.js';
import { MAX_DFZ_IPV4, MAX_DFZ_IPV6 } from './dfz.js';

export const injectUsage = `usage: bgpdns inject --peer ADDR --local-as ASN --peer-as ASN --router-id ID (--synthetic | --mrt FILE) [options]
  --peer ADDR            peer to connect to (IPv4 or IPv6)
  --port N               peer's BGP port (default 179)
  --local-as ASN         our AS (prepended to every AS path)
  --peer-as ASN          the AS the peer must announce
  --router-id ID         our BGP identifier (dotted IPv4)
  --local-address ADDR   source address for the TCP connection
  --hold-time S          proposed hold time, 0 or >= 3 (default 90)
  --synthetic            send a seeded synthetic table (lab ranges only:
                         IPv4 198.18.0.0/15, at most ${MAX_IPV4_PREFIXES}; IPv6 2001:db8::/32)
    --shape lab|dfz      lab (default): inside the lab ranges; dfz: spread over the whole
                         unicast space with the DFZ prefix-length mix (at most ${MAX_DFZ_IPV4} IPv4,
                         ${MAX_DFZ_IPV6} IPv6) — table data only, for speakers that install nothing
                         into a kernel FIB; never a packet's destination
    --ipv4 N             IPv4 prefixes (default 10000)
    --ipv6 N             IPv6 prefixes (default 2000)
    --seed N             random seed (default 1)
    --prefixes-per-path N  average prefixes sharing one AS path (default 11, like a real table)
  --mrt FILE             send the unicast RIB of an MRT TABLE_DUMP_V2 file (plain, gzip or bzip2);
                         its prefixes are yours to vouch for
    --mrt-peer N         take the entries of this PEER_INDEX_TABLE index (default: first entry per prefix)
  --next-hop4 ADDR       IPv4 next hop (default: our session address)
  --next-hop6 ADDR       IPv6 next hop (default: our IPv6 session address, or ::ffff:<IPv4>)
  --exit-after-eor       stop once End-of-RIB is sent (default: stay up until SIGINT/SIGTERM)
  --write-mrt FILE       write the table as MRT (.gz/.bz2 compress) and exit without connecting`;

export class UsageError extends Error {}

export interface InjectOptions {
  peer?: string;
  port: number;
  localAs?: number;
  peerAs?: number;
  routerId?: string;
  localAddress?: string;
  holdTime: number;
  source: { kind: 'synthetic'; shape: 'lab' | 'dfz'; ipv4: number; ipv6: number; seed: number; prefixesPerOrigin: number } | { kind: 'mrt'; file: string; peerIndex?: number };
  nextHop4?: string;
  nextHop6?: string;
  exitAfterEor: boolean;
  writeMrt?: string;
}

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${flag} must be an integer ${min}..${max}, got "${text}"`);
  return n;
}

function address(flag: string, text: string | undefined, family?: 4 | 6): string | undefined {
  if (text === undefined) return undefined;
  const f = net.isIP(text);
  if (f === 0 || (family && f !== family)) throw new UsageError(`--${flag} must be an IPv${family ?? '4 or IPv6'} address, got "${text}"`);
  return text;
}

export function parseInjectArgs(argv: string[]): InjectOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        peer: { type: 'string' }, port: { type: 'string' }, 'local-as': { type: 'string' }, 'peer-as': { type: 'string' },
        'router-id': { type: 'string' }, 'local-address': { type: 'string' }, 'hold-time': { type: 'string' },
        synthetic: { type: 'boolean' }, shape: { type: 'string' }, ipv4: { type: 'string' }, ipv6: { type: 'string' }, seed: { type: 'string' },
        'prefixes-per-path': { type: 'string' },
        mrt: { type: 'string' }, 'mrt-peer': { type: 'string' }, 'next-hop4': { type: 'string' }, 'next-hop6': { type: 'string' },
        'exit-after-eor': { type: 'boolean' }, 'write-mrt': { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  if (values.synthetic && str('mrt')) throw new UsageError('--synthetic and --mrt exclude each other');
  if (!values.synthetic && !str('mrt')) throw new UsageError('a table source is required: --synthetic or --mrt FILE');
  if (!values.synthetic && (str('ipv4') || str('ipv6') || str('seed') || str('prefixes-per-path') || str('shape'))) {
    throw new UsageError('--shape/--ipv4/--ipv6/--seed/--prefixes-per-path apply to --synthetic only');
  }
  const shape = str('shape') ?? 'lab';
  if (shape !== 'lab' && shape !== 'dfz') throw new UsageError(`--shape must be lab or dfz, got "${shape}"`);
  const max4 = shape === 'dfz' ? MAX_DFZ_IPV4 : MAX_IPV4_PREFIXES;
  const max6 = shape === 'dfz' ? MAX_DFZ_IPV6 : MAX_IPV6_PREFIXES;
  const source: InjectOptions['source'] = values.synthetic
    ? {
      kind: 'synthetic',
      shape,
      ipv4: integer('ipv4', str('ipv4'), 0, max4) ?? 10_000,
      ipv6: integer('ipv6', str('ipv6'), 0, max6) ?? 2_000,
      seed: integer('seed', str('seed'), 0, 2 ** 32 - 1) ?? 1,
      prefixesPerOrigin: integer('prefixes-per-path', str('prefixes-per-path'), 1, 1_000_000) ?? 11,
    }
    : { kind: 'mrt', file: str('mrt')!, peerIndex: integer('mrt-peer', str('mrt-peer'), 0, 65535) };
  const holdTime = integer('hold-time', str('hold-time'), 0, 65535) ?? 90;
  if (holdTime === 1 || holdTime === 2) throw new UsageError('--hold-time must be 0 or at least 3 (RFC 4271 §4.2)');
  const routerId = str('router-id');
  if (routerId !== undefined && !parseIpv4(routerId)) throw new UsageError(`--router-id must be a dotted IPv4 BGP identifier, got "${routerId}"`);
  const opts: InjectOptions = {
    peer: address('peer', str('peer')),
    port: integer('port', str('port'), 1, 65535) ?? 179,
    localAs: integer('local-as', str('local-as'), 1, 4294967295),
    peerAs: integer('peer-as', str('peer-as'), 1, 4294967295),
    routerId,
    localAddress: address('local-address', str('local-address')),
    holdTime,
    source,
    nextHop4: address('next-hop4', str('next-hop4'), 4),
    nextHop6: address('next-hop6', str('next-hop6'), 6),
    exitAfterEor: values['exit-after-eor'] === true,
    writeMrt: str('write-mrt'),
  };
  if (!opts.writeMrt) {
    for (const [flag, v] of [['peer', opts.peer], ['local-as', opts.localAs], ['peer-as', opts.peerAs], ['router-id', opts.routerId]] as const) {
      if (v === undefined) throw new UsageError(`--${flag} is required`);
    }
  }
  return opts;
}
