/**
 * The answer tinydns gives, as data: which records go in which section.
 * Mirrors the documented and observed behaviour of tinydns 1.05 so that the
 * differential test can hold us to it:
 * - the deepest ancestor of the query name holding NS records is the zone cut
 *   ("control"); none → out of zone; NS without SOA there → referral (AA off);
 * - the name itself, then `*.parent`, `*.grandparent` … up to `*.control` are
 *   tried; the first that has any visible record decides (no RFC 4592 closest
 *   encloser, empty non-terminals are NXDOMAIN);
 * - a CNAME is returned for every query type, without chasing it;
 * - at most one SOA in the answer; A records collected into one RRset with the
 *   TTL of the last one (served at most 8, see template.ts); AAAA alike;
 * - authority: the zone's SOA when the answer is empty, else the cut's NS
 *   unless already answered; additional: A records of every NS/MX target.
 */
import { RrType, Rcode } from '../wire/types.js';
import { parentKey, wildcardLabel } from '../wire/name.js';
import type { Zone, ZoneRecord } from './zone.js';
import type { RdataPart } from '../tinydns-data/records.js';

export interface ResolvedRr {
  ownerKey: string;
  type: number;
  ttl: number;
  rdata: RdataPart[];
}

/** An A or AAAA RRset whose order the front decides. */
export interface AddressSet {
  type: RrType.A | RrType.AAAA;
  ttl: number;
  addresses: Buffer[];
}

export interface Resolution {
  rcode: Rcode.NoError | Rcode.NxDomain;
  authoritative: boolean;
  answer: ResolvedRr[];
  addressSets: AddressSet[];
  authority: ResolvedRr[];
  additional: ResolvedRr[];
}

export interface ResolveContext {
  location: string;
  /** Unix seconds. */
  now: number;
}

/** tinydns's record filter: location, then timestamp (start time, or time to die with a TTL counting down). */
function visibleTtl(rec: ZoneRecord, ctx: ResolveContext): number {
  if (rec.location !== undefined && rec.location !== ctx.location) return -1;
  if (rec.timestamp === undefined) return rec.ttl;
  if (rec.ttl === 0) {
    if (rec.timestamp < ctx.now) return -1;
    return Math.min(3600, Math.max(2, rec.timestamp - ctx.now));
  }
  return rec.timestamp < ctx.now ? rec.ttl : -1;
}

function* visible(zone: Zone, key: string, ctx: ResolveContext): Generator<[ZoneRecord, number]> {
  const list = zone.byKey.get(key);
  if (!list) return;
  for (const rec of list) {
    const ttl = visibleTtl(rec, ctx);
    if (ttl >= 0) yield [rec, ttl];
  }
}

function nameOfRdata(rr: ResolvedRr): Buffer | null {
  if (rr.type === RrType.NS) return (rr.rdata[0] as { name: Buffer }).name;
  if (rr.type === RrType.MX) return (rr.rdata[1] as { name: Buffer }).name;
  return null;
}

/** Returns null when the name is in none of our zones (tinydns stays silent; the front answers REFUSED). */
export function resolve(zone: Zone, qkey: string, qtype: number, ctx: ResolveContext): Resolution | null {
  let control: string | null = qkey;
  let authoritative = false;
  for (;;) {
    let hasNs = false;
    authoritative = false;
    for (const [rec] of visible(zone, control, ctx)) {
      if (rec.type === RrType.SOA) authoritative = true;
      if (rec.type === RrType.NS) hasNs = true;
    }
    if (hasNs) break;
    control = parentKey(control);
    if (control === null) return null;
  }

  const res: Resolution = { rcode: Rcode.NoError, authoritative, answer: [], addressSets: [], authority: [], additional: [] };
  const cut: string = control;

  if (authoritative) {
    let found = false;
    let wild = qkey;
    let gaveSoa = false;
    for (;;) {
      const key = wild === qkey ? qkey : wildcardLabel + wild;
      const sets = new Map<number, AddressSet>();
      for (const [rec, ttl] of visible(zone, key, ctx)) {
        found = true;
        if (gaveSoa && rec.type === RrType.SOA) continue;
        if (rec.type !== qtype && qtype !== RrType.ANY && rec.type !== RrType.CNAME) continue;
        if ((rec.type === RrType.A && rec.rdata[0] instanceof Buffer && rec.rdata[0].length === 4) || (rec.type === RrType.AAAA && rec.rdata[0] instanceof Buffer && rec.rdata[0].length === 16)) {
          let set = sets.get(rec.type);
          if (!set) sets.set(rec.type, (set = { type: rec.type, ttl, addresses: [] }));
          set.ttl = ttl;
          set.addresses.push(rec.rdata[0] as Buffer);
          continue;
        }
        res.answer.push({ ownerKey: qkey, type: rec.type, ttl, rdata: rec.rdata });
        if (rec.type === RrType.SOA) gaveSoa = true;
      }
      res.addressSets.push(...sets.values());
      if (found) break;
      if (wild === cut) break;
      const up = parentKey(wild);
      if (up === null) break;
      wild = up;
    }
    if (!found) res.rcode = Rcode.NxDomain;
  }

  const answered = (owner: string, type: number, sections: ResolvedRr[][]) =>
    sections.some((s) => s.some((rr) => rr.ownerKey === owner && rr.type === type)) ||
    (type === RrType.A && owner === qkey && res.addressSets.some((s) => s.type === RrType.A));

  if (authoritative && res.answer.length === 0 && res.addressSets.length === 0) {
    for (const [rec, ttl] of visible(zone, cut, ctx)) {
      if (rec.type === RrType.SOA) {
        res.authority.push({ ownerKey: cut, type: RrType.SOA, ttl, rdata: rec.rdata });
        break;
      }
    }
  } else if (!answered(cut, RrType.NS, [res.answer])) {
    for (const [rec, ttl] of visible(zone, cut, ctx)) {
      if (rec.type === RrType.NS) res.authority.push({ ownerKey: cut, type: RrType.NS, ttl, rdata: rec.rdata });
    }
  }

  for (const rr of [...res.answer, ...res.authority]) {
    const target = nameOfRdata(rr);
    if (!target) continue;
    const key = lowerKey(target);
    if (answered(key, RrType.A, [res.answer, res.authority, res.additional])) continue;
    for (const [rec, ttl] of visible(zone, key, ctx)) {
      if (rec.type === RrType.A) res.additional.push({ ownerKey: key, type: RrType.A, ttl, rdata: rec.rdata });
    }
  }
  return res;
}

function lowerKey(wire: Buffer): string {
  let s = '';
  for (let i = 0; i < wire.length; i++) {
    const c = wire[i];
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
  }
  return s;
}
