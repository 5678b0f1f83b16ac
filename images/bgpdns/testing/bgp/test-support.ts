/** Helpers for the codec tests: raw message builders and an UPDATE normaliser. */
import { Afi, type PathAttributes } from '../../src/bgp/types.js';
import { HEADER_LENGTH, MessageType } from '../../src/bgp/message-types.js';
import { writeHeader } from '../../src/bgp/header.js';
import { prefixToString } from '../../src/bgp/nlri.js';
import type { DecodedUpdate, UpdateSpec } from '../../src/bgp/update.js';

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** A whole message of the given type around a body (header length computed). */
export function rawMessage(type: MessageType, body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const out = new Uint8Array(HEADER_LENGTH + b.length);
  writeHeader(out, out.length, type);
  out.set(b, HEADER_LENGTH);
  return out;
}

/** An UPDATE from raw withdrawn / attribute / NLRI fields. */
export function rawUpdate(parts: { withdrawn?: number[]; attrs?: (number[] | Uint8Array)[]; nlri?: number[] }): Uint8Array {
  const wd = Uint8Array.from(parts.withdrawn ?? []);
  const attrs = concat(...(parts.attrs ?? []));
  return rawMessage(MessageType.Update, concat([wd.length >> 8, wd.length & 0xff], wd, [attrs.length >> 8, attrs.length & 0xff], attrs, parts.nlri ?? []));
}

/** Mandatory attributes for an IPv4 announcement from AS 64500 via 198.18.1.1. */
export const ORIGIN_IGP = [0x40, 1, 1, 0];
export const AS_PATH_64500 = [0x40, 2, 4, 2, 1, 0xfb, 0xf4];
export const AS_PATH_64500_4 = [0x40, 2, 6, 2, 1, 0, 0, 0xfb, 0xf4];
export const NEXT_HOP = [0x40, 3, 4, 198, 18, 1, 1];
/** 198.18.0.0/24 as NLRI. */
export const NLRI_24 = [24, 198, 18, 0];

export interface NormalUpdate {
  withdrawn: string[];
  announced: string[];
  attrs?: PathAttributes;
}

/** What an UPDATE means, independent of which field carried what. */
export function normalizeDecoded(d: DecodedUpdate): NormalUpdate {
  const withdrawn = d.withdrawn().map(prefixToString);
  const announced = d.announced().map((r) => prefixToString(r.prefix));
  return announced.length ? { withdrawn, announced, attrs: d.attrs } : { withdrawn, announced };
}

export function normalizeSpec(s: UpdateSpec): NormalUpdate {
  const withdrawn = [...(s.withdrawn ?? []), ...(s.mpUnreach?.prefixes ?? [])].map(prefixToString);
  const announced = [...(s.nlri ?? []), ...(s.mpReach?.prefixes ?? [])].map(prefixToString);
  return announced.length ? { withdrawn, announced, attrs: s.attrs } : { withdrawn, announced };
}

/** Rebuilds an encodable spec from a decoded UPDATE (to check re-encoding gives the same bytes). */
export function specOf(d: DecodedUpdate): UpdateSpec {
  const spec: UpdateSpec = {};
  const eor = d.endOfRib();
  if (eor === Afi.IPv6) return { mpUnreach: { afi: Afi.IPv6, prefixes: [] } };
  for (const p of d.withdrawn()) {
    if (p.afi === Afi.IPv4) (spec.withdrawn ??= []).push(p);
    else (spec.mpUnreach ??= { afi: p.afi, prefixes: [] }).prefixes.push(p);
  }
  for (const r of d.announced()) {
    if (r.prefix.afi === Afi.IPv4) (spec.nlri ??= []).push(r.prefix);
    else (spec.mpReach ??= { afi: r.prefix.afi, prefixes: [] }).prefixes.push(r.prefix);
  }
  if (spec.nlri || spec.mpReach) spec.attrs = d.attrs;
  return spec;
}
