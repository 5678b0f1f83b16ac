/**
 * Pure parser for tinydns `data` files (the format tinydns-data compiles to
 * data.cdb): every line type of djbdns 1.05 plus the widely used IPv6 lines
 * `6` (AAAA + ip6.arpa PTR) and `3` (AAAA only). No I/O: text in, records out.
 *
 * Stricter than tinydns-data where it silently accepts junk (trailing garbage
 * after an IP or a number, short timestamps): such lines are errors naming
 * file, line and column, because a typo there silently changes answers.
 */
import { EscapeError, nameToWire, unescapeBytes } from './escape.js';
import { DefaultTtl, soaDefaults, type DataFile, type DataRecord, type LocationLine, type RdataPart } from './records.js';
import { RrType } from '../wire/types.js';
import { lowerWire } from '../wire/name.js';

export class DataParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'DataParseError';
  }
}

export interface ParseOptions {
  /** Shown in errors. */
  file: string;
  /** Default SOA serial: tinydns-data uses the data file's modification time (Unix seconds). */
  serial: number;
}

interface Field {
  text: string;
  /** 1-based column of the field's first character. */
  column: number;
}

/** TAI64 labels are 2^62 + TAI seconds; TAI is 10 s ahead of Unix time here, as in djb's libtai. */
const tai64Base = (1n << 62n) + 10n;

/** Generic `:` lines may not carry types that have their own line (tinydns-data's rule). */
const genericForbidden = new Set<number>([0, RrType.NS, RrType.CNAME, RrType.SOA, RrType.PTR, RrType.MX, RrType.AXFR]);

function splitFields(line: string): Field[] {
  const fields: Field[] = [];
  let start = 1;
  for (let i = 1; i <= line.length; i++) {
    if (i === line.length || line.charCodeAt(i) === 0x3a) {
      fields.push({ text: line.slice(start, i), column: start + 1 });
      start = i + 1;
    }
  }
  return fields;
}

class LineParser {
  constructor(
    private readonly opts: ParseOptions,
    private readonly lineNo: number,
    private readonly fields: Field[],
    private readonly lineLength: number,
  ) {}

  fail(f: Field | number, reason: string): never {
    const column = typeof f === 'number' ? f : f.column;
    throw new DataParseError(this.opts.file, this.lineNo, column, reason);
  }

  field(i: number): Field {
    return this.fields[i] ?? { text: '', column: this.lineLength + 1 };
  }

  name(i: number, what: string): Buffer {
    const f = this.field(i);
    return this.nameOf(f, what);
  }

  nameOf(f: Field, what: string): Buffer {
    try {
      return nameToWire(f.text);
    } catch (e) {
      if (e instanceof EscapeError) this.fail(f.column + e.offset, `${what}: ${e.message}`);
      throw e;
    }
  }

  owner(i: number): Buffer {
    const f = this.field(i);
    if (f.text === '') this.fail(f, 'missing fqdn');
    return lowerWire(this.nameOf(f, 'fqdn'));
  }

  ipv4(i: number, optional: boolean): Buffer | undefined {
    const f = this.field(i);
    if (f.text === '') {
      if (optional) return undefined;
      this.fail(f, 'missing IPv4 address');
    }
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(f.text);
    const octets = m ? m.slice(1).map(Number) : [];
    if (!m || octets.some((o) => o > 255)) this.fail(f, `malformed IPv4 address "${f.text}"`);
    return Buffer.from(octets);
  }

  ipv6(i: number): Buffer {
    const f = this.field(i);
    if (!/^[0-9a-fA-F]{32}$/.test(f.text)) this.fail(f, `malformed IPv6 address "${f.text}" (expected 32 hex digits)`);
    return Buffer.from(f.text, 'hex');
  }

  uint(i: number, what: string, fallback: number, max = 0xffffffff): number {
    const f = this.field(i);
    if (f.text === '') return fallback;
    if (!/^\d+$/.test(f.text)) this.fail(f, `${what} must be a decimal number, got "${f.text}"`);
    const v = Number(f.text);
    if (v > max) this.fail(f, `${what} ${v} is larger than ${max}`);
    return v;
  }

  timestamp(i: number): number | undefined {
    const f = this.field(i);
    if (f.text === '') return undefined;
    if (!/^[0-9a-fA-F]{16}$/.test(f.text)) this.fail(f, `timestamp must be 16 hex digits (external TAI64), got "${f.text}"`);
    return Number(BigInt('0x' + f.text) - tai64Base);
  }

  location(i: number): string | undefined {
    const f = this.field(i);
    if (f.text === '') return undefined;
    if (f.text.length > 2) this.fail(f, `location "${f.text}" must be one or two characters`);
    return f.text;
  }

  /** `x` of `.`, `&`, `@` lines: with a dot it is the server name, else x.<infix>.fqdn. */
  serverName(i: number, infix: string): Buffer {
    const f = this.field(i);
    const fqdn = this.field(0).text;
    const text = f.text.includes('.') ? f.text : `${f.text}.${infix}.${fqdn}`;
    return this.nameOf({ text, column: f.column }, 'server name');
  }
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

function txtChunks(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 127) {
    const chunk = data.subarray(i, i + 127);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

function reverseV4(ip: Buffer): Buffer {
  return nameToWire(`${ip[3]}.${ip[2]}.${ip[1]}.${ip[0]}.in-addr.arpa`);
}

function reverseV6(ip: Buffer): Buffer {
  const nibbles = ip.toString('hex').split('').reverse().join('.');
  return nameToWire(`${nibbles}.ip6.arpa`);
}

function soaRdata(mname: Buffer, rname: Buffer, t: { serial: number; refresh: number; retry: number; expire: number; minimum: number }): RdataPart[] {
  const timers = Buffer.alloc(20);
  timers.writeUInt32BE(t.serial >>> 0, 0);
  timers.writeUInt32BE(t.refresh >>> 0, 4);
  timers.writeUInt32BE(t.retry >>> 0, 8);
  timers.writeUInt32BE(t.expire >>> 0, 12);
  timers.writeUInt32BE(t.minimum >>> 0, 16);
  return [{ name: mname }, { name: rname }, timers];
}

export function parseTinydnsData(text: string, opts: ParseOptions): DataFile {
  const records: DataRecord[] = [];
  const locations: LocationLine[] = [];
  const lines = text.split('\n');
  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    const line = lines[idx].replace(/[ \t]+$/, '');
    if (line === '') continue;
    const kind = line[0];
    const p = new LineParser(opts, lineNo, splitFields(line), line.length);
    const add = (owner: Buffer, type: number, ttl: number, rdata: RdataPart[], ts: number | undefined, loc: string | undefined) => {
      const rec: DataRecord = { owner: lowerWire(owner), type, ttl, rdata, line: lineNo };
      if (ts !== undefined) rec.timestamp = ts;
      if (loc !== undefined) rec.location = loc;
      records.push(rec);
    };
    switch (kind) {
      case '#':
      case '-':
        break;
      case '%': {
        const code = p.field(0);
        if (code.text === '' || code.text.length > 2) p.fail(code, `location code "${code.text}" must be one or two characters`);
        const pf = p.field(1);
        const prefix = pf.text === '' ? [] : pf.text.split('.').map(Number);
        if (prefix.length > 4 || !/^(\d{1,3}(\.\d{1,3}){0,3})?$/.test(pf.text) || prefix.some((o) => o > 255))
          p.fail(pf, `malformed IPv4 prefix "${pf.text}" (up to four dotted octets)`);
        locations.push({ code: code.text, prefix, line: lineNo });
        break;
      }
      case '.':
      case '&': {
        const fqdn = p.owner(0);
        const ip = p.ipv4(1, true);
        const server = p.serverName(2, 'ns');
        const ttl = p.uint(3, 'ttl', DefaultTtl.Ns);
        const ts = p.timestamp(4);
        const loc = p.location(5);
        if (kind === '.') {
          const soa = soaRdata(server, nameToWire(`hostmaster.${p.field(0).text}`), { serial: opts.serial, ...soaDefaults });
          add(fqdn, RrType.SOA, ttl ? DefaultTtl.Negative : 0, soa, ts, loc);
        }
        add(fqdn, RrType.NS, ttl, [{ name: server }], ts, loc);
        if (ip) add(server, RrType.A, ttl, [ip], ts, loc);
        break;
      }
      case '=':
      case '+': {
        const fqdn = p.owner(0);
        const ip = p.ipv4(1, false)!;
        const ttl = p.uint(2, 'ttl', DefaultTtl.Positive);
        const ts = p.timestamp(3);
        const loc = p.location(4);
        add(fqdn, RrType.A, ttl, [ip], ts, loc);
        if (kind === '=') add(reverseV4(ip), RrType.PTR, ttl, [{ name: fqdn }], ts, loc);
        break;
      }
      case '6':
      case '3': {
        const fqdn = p.owner(0);
        const ip = p.ipv6(1);
        const ttl = p.uint(2, 'ttl', DefaultTtl.Positive);
        const ts = p.timestamp(3);
        const loc = p.location(4);
        add(fqdn, RrType.AAAA, ttl, [ip], ts, loc);
        if (kind === '6') add(reverseV6(ip), RrType.PTR, ttl, [{ name: fqdn }], ts, loc);
        break;
      }
      case '@': {
        const fqdn = p.owner(0);
        const ip = p.ipv4(1, true);
        const server = p.serverName(2, 'mx');
        const dist = p.uint(3, 'distance', 0, 0xffff);
        const ttl = p.uint(4, 'ttl', DefaultTtl.Positive);
        const ts = p.timestamp(5);
        const loc = p.location(6);
        add(fqdn, RrType.MX, ttl, [u16(dist), { name: server }], ts, loc);
        if (ip) add(server, RrType.A, ttl, [ip], ts, loc);
        break;
      }
      case "'": {
        const fqdn = p.owner(0);
        const data = unescapeBytes(p.field(1).text);
        add(fqdn, RrType.TXT, p.uint(2, 'ttl', DefaultTtl.Positive), [txtChunks(data)], p.timestamp(3), p.location(4));
        break;
      }
      case '^':
      case 'C': {
        const fqdn = p.owner(0);
        const target = p.name(1, kind === '^' ? 'PTR target' : 'CNAME target');
        add(fqdn, kind === '^' ? RrType.PTR : RrType.CNAME, p.uint(2, 'ttl', DefaultTtl.Positive), [{ name: target }], p.timestamp(3), p.location(4));
        break;
      }
      case 'Z': {
        const fqdn = p.owner(0);
        const mname = p.name(1, 'mname');
        const rname = p.name(2, 'rname');
        const timers = {
          serial: p.uint(3, 'serial', opts.serial),
          refresh: p.uint(4, 'refresh', soaDefaults.refresh),
          retry: p.uint(5, 'retry', soaDefaults.retry),
          expire: p.uint(6, 'expire', soaDefaults.expire),
          minimum: p.uint(7, 'minimum', soaDefaults.minimum),
        };
        add(fqdn, RrType.SOA, p.uint(8, 'ttl', DefaultTtl.Negative), soaRdata(mname, rname, timers), p.timestamp(9), p.location(10));
        break;
      }
      case ':': {
        const fqdn = p.owner(0);
        const tf = p.field(1);
        const type = p.uint(1, 'type', -1, 0xffff);
        if (type === -1) p.fail(tf, 'missing record type');
        if (genericForbidden.has(type)) p.fail(tf, `type ${type} may not be used in a generic line (use its own line type)`);
        add(fqdn, type, p.uint(3, 'ttl', DefaultTtl.Positive), [unescapeBytes(p.field(2).text)], p.timestamp(4), p.location(5));
        break;
      }
      default:
        p.fail(1, `unrecognized leading character "${kind}"`);
    }
  }
  return { records, locations };
}
