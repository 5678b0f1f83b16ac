/**
 * The sorter daemon's configuration file (JSON or YAML, chosen by content).
 * Every error is one line naming the file and the field, e.g.
 *   sorter.json: peers[1].asn: expected an ASN in 1..4294967295
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { parsePrefix } from '../rib/address.js';
import { DEFAULT_PORT, DEFAULT_WINDOW_MS } from './protocol-types.js';
import { DEFAULT_QUEUE_LIMIT } from './server.js';

export interface SorterPeerConfig {
  address: string;
  asn: number;
  name: string;
  weight: number;
  localPref?: number;
  /** Per family; exceeding it ends the session with Cease / Maximum Number of Prefixes Reached. */
  maxPrefix?: number;
  holdTime: number;
  /** Drop the session as soon as the interface towards the peer loses its link (FRR's fast-external-failover). */
  fastFailover: boolean;
  /** The interface to watch; found with `ip route get` when not given. */
  interface?: string;
}

export interface SorterConfig {
  file: string;
  localAsn: number;
  routerId: string;
  /** FRR `bgp bestpath compare-routerid`. */
  compareRouterId: boolean;
  bgp: { address: string; port: number };
  peers: SorterPeerConfig[];
  upstreams: { asn: number; prefixes: string[] }[];
  query: { address: string; port: number; keys: Map<number, Buffer>; windowMs: number; queueLimit: number };
  status?: { address: string; port: number };
  /** JSON status written here every second (readable without entering the node's namespace). */
  statusFile?: string;
}

export class ConfigError extends Error {}

type Json = unknown;

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, message: string): never {
    throw new ConfigError(`${this.file}: ${path}: ${message}`);
  }

  object(path: string, v: Json, allowed: string[]): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'expected an object');
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) this.fail(path === '' ? key : `${path}.${key}`, `unknown field (known: ${allowed.join(', ')})`);
    }
    return v as Record<string, Json>;
  }

  array(path: string, v: Json): Json[] {
    if (!Array.isArray(v)) this.fail(path, 'expected a list');
    return v;
  }

  int(path: string, v: Json, min: number, max: number, what = 'an integer'): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(path, `expected ${what} in ${min}..${max}`);
    return v;
  }

  asn(path: string, v: Json): number {
    return this.int(path, v, 1, 4294967295, 'an ASN');
  }

  string(path: string, v: Json): string {
    if (typeof v !== 'string' || v === '') this.fail(path, 'expected a non-empty string');
    return v;
  }

  ip(path: string, v: Json): string {
    const s = this.string(path, v);
    if (isIP(s) === 0) this.fail(path, `"${s}" is not an IPv4 or IPv6 address`);
    return s;
  }

  ipv4(path: string, v: Json): string {
    const s = this.string(path, v);
    if (isIP(s) !== 4) this.fail(path, `"${s}" is not an IPv4 address (a BGP identifier is written as one)`);
    return s;
  }

  bool(path: string, v: Json): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'expected true or false');
    return v;
  }

  /** "ADDR:PORT" or "[V6]:PORT" or { address, port }. */
  endpoint(path: string, v: Json, defaultPort: number): { address: string; port: number } {
    if (typeof v === 'string') {
      const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v) ?? /^\[?([^\]]+?)\]?()$/.exec(v);
      const address = m?.[1] ?? '';
      if (isIP(address) === 0) this.fail(path, `"${v}" is not ADDR:PORT with an IP address`);
      const port = m?.[2] ? Number(m[2]) : defaultPort;
      if (port > 65535) this.fail(path, `port ${port} is out of range 0..65535`);
      return { address, port };
    }
    const o = this.object(path, v, ['address', 'port']);
    return {
      address: this.ip(`${path}.address`, o.address),
      port: o.port === undefined ? defaultPort : this.int(`${path}.port`, o.port, 0, 65535, 'a port'),
    };
  }
}

const HOLD_HELP = 'expected a hold time of 0 or 3..65535 seconds';

export function parseSorterConfig(text: string, file: string): SorterConfig {
  const name = basename(file);
  const r = new Reader(name);
  let doc: Json;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${name}: not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  // A file may hold the sorter section alone or under a top-level "sorter" key.
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Object.keys(doc).length === 1 && 'sorter' in doc) {
    doc = (doc as { sorter: Json }).sorter;
  }
  const top = r.object('', doc, ['localAsn', 'routerId', 'bestpath', 'bgp', 'peers', 'upstreams', 'query', 'status', 'statusFile', 'holdTime']);
  if (top.localAsn === undefined) r.fail('localAsn', 'required');
  const localAsn = r.asn('localAsn', top.localAsn);
  if (top.routerId === undefined) r.fail('routerId', 'required');
  const routerId = r.ipv4('routerId', top.routerId);
  const defaultHold = top.holdTime === undefined ? 90 : holdTime(r, 'holdTime', top.holdTime);

  const bestpath = top.bestpath === undefined ? {} : r.object('bestpath', top.bestpath, ['compareRouterId']);
  const compareRouterId = bestpath.compareRouterId === undefined ? false : r.bool('bestpath.compareRouterId', bestpath.compareRouterId);
  const bgpDoc = top.bgp === undefined ? {} : r.object('bgp', top.bgp, ['address', 'port']);
  const bgp = {
    address: bgpDoc.address === undefined ? '::' : r.ip('bgp.address', bgpDoc.address),
    port: bgpDoc.port === undefined ? 179 : r.int('bgp.port', bgpDoc.port, 0, 65535, 'a port'),
  };

  if (top.peers === undefined) r.fail('peers', 'required (the upstreams whose sessions the sorter accepts)');
  const seen = new Set<string>();
  const peers = r.array('peers', top.peers).map((p, i): SorterPeerConfig => {
    const at = `peers[${i}]`;
    const o = r.object(at, p, ['address', 'asn', 'name', 'weight', 'localPref', 'maxPrefix', 'holdTime', 'fastFailover', 'interface']);
    if (o.address === undefined) r.fail(`${at}.address`, 'required');
    if (o.asn === undefined) r.fail(`${at}.asn`, 'required');
    const address = r.ip(`${at}.address`, o.address);
    const key = address.toLowerCase();
    if (seen.has(key)) r.fail(`${at}.address`, `${address} is configured twice`);
    seen.add(key);
    const asn = r.asn(`${at}.asn`, o.asn);
    return {
      address,
      asn,
      name: o.name === undefined ? `AS${asn}-${address}` : r.string(`${at}.name`, o.name),
      weight: o.weight === undefined ? 0 : r.int(`${at}.weight`, o.weight, 0, 65535),
      localPref: o.localPref === undefined ? undefined : r.int(`${at}.localPref`, o.localPref, 0, 4294967295),
      maxPrefix: o.maxPrefix === undefined ? undefined : r.int(`${at}.maxPrefix`, o.maxPrefix, 1, 4294967295),
      holdTime: o.holdTime === undefined ? defaultHold : holdTime(r, `${at}.holdTime`, o.holdTime),
      fastFailover: o.fastFailover === undefined ? true : r.bool(`${at}.fastFailover`, o.fastFailover),
      interface: o.interface === undefined ? undefined : r.string(`${at}.interface`, o.interface),
    };
  });

  const upstreams = (top.upstreams === undefined ? [] : r.array('upstreams', top.upstreams)).map((u, i) => {
    const at = `upstreams[${i}]`;
    const o = r.object(at, u, ['asn', 'prefixes']);
    if (o.asn === undefined) r.fail(`${at}.asn`, 'required');
    const prefixes = r.array(`${at}.prefixes`, o.prefixes).map((p, j) => {
      const s = r.string(`${at}.prefixes[${j}]`, p);
      try {
        parsePrefix(s);
      } catch (e) {
        r.fail(`${at}.prefixes[${j}]`, (e as Error).message);
      }
      return s;
    });
    return { asn: r.asn(`${at}.asn`, o.asn), prefixes };
  });

  if (top.query === undefined) r.fail('query', 'required (at least query.keys)');
  const q = r.object('query', top.query, ['address', 'port', 'keys', 'windowMs', 'queueLimit']);
  if (q.keys === undefined) r.fail('query.keys', 'required: the shared HMAC keys, e.g. [{ id: 1, secret: "<64 hex digits>" }]');
  const keys = new Map<number, Buffer>();
  r.array('query.keys', q.keys).forEach((k, i) => {
    const at = `query.keys[${i}]`;
    const o = r.object(at, k, ['id', 'secret']);
    const id = r.int(`${at}.id`, o.id, 0, 4294967295, 'a key id');
    const secret = r.string(`${at}.secret`, o.secret);
    if (!/^([0-9a-fA-F]{2}){16,}$/.test(secret)) r.fail(`${at}.secret`, 'expected at least 16 octets as hex digits');
    if (keys.has(id)) r.fail(`${at}.id`, `key id ${id} is configured twice`);
    keys.set(id, Buffer.from(secret, 'hex'));
  });
  if (keys.size === 0) r.fail('query.keys', 'at least one key is required');
  const query = {
    address: q.address === undefined ? '127.0.0.1' : r.ip('query.address', q.address),
    port: q.port === undefined ? DEFAULT_PORT : r.int('query.port', q.port, 0, 65535, 'a port'),
    keys,
    windowMs: q.windowMs === undefined ? DEFAULT_WINDOW_MS : r.int('query.windowMs', q.windowMs, 1, 3_600_000),
    queueLimit: q.queueLimit === undefined ? DEFAULT_QUEUE_LIMIT : r.int('query.queueLimit', q.queueLimit, 1, 1_000_000),
  };
  const status = top.status === undefined ? undefined : r.endpoint('status', top.status, 9179);
  const statusFile = top.statusFile === undefined ? undefined : r.string('statusFile', top.statusFile);
  return { file: name, localAsn, routerId, compareRouterId, bgp, peers, upstreams, query, status, statusFile };
}

function holdTime(r: Reader, path: string, v: Json): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535 || (v > 0 && v < 3)) r.fail(path, HOLD_HELP);
  return v;
}

export function loadSorterConfig(file: string): SorterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseSorterConfig(text, file);
}
