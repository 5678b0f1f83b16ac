/**
 * AS_PATH / AS4_PATH segments (RFC 4271 §4.3, RFC 5065 §3) and the RFC 6793
 * §4.2.3 merge of a 2-octet AS_PATH with AS4_PATH.
 */
import { AsPathSegmentType, type AsPathSegment } from './types.js';
import { ByteWriter, readU16, readU32 } from './writer.js';
import { AS_TRANS } from './capability-codes.js';

/** Decodes segments; undefined when malformed (unknown type, zero count, overrun). */
export function decodeAsPath(buf: Uint8Array, start: number, end: number, asnSize: 2 | 4): AsPathSegment[] | undefined {
  const out: AsPathSegment[] = [];
  let at = start;
  while (at < end) {
    if (at + 2 > end) return undefined;
    const type = buf[at];
    const count = buf[at + 1];
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.ConfedSet || count === 0) return undefined;
    at += 2;
    if (at + count * asnSize > end) return undefined;
    const asns = new Array<number>(count);
    for (let i = 0; i < count; i++, at += asnSize) asns[i] = asnSize === 4 ? readU32(buf, at) : readU16(buf, at);
    out.push({ type, asns });
  }
  return out;
}

/** Writes segments, splitting any longer than 255 ASNs (the count is one octet). */
export function writeAsPath(w: ByteWriter, path: AsPathSegment[], asnSize: 2 | 4): void {
  for (const seg of path) {
    for (let from = 0; from < seg.asns.length; from += 255) {
      const part = seg.asns.slice(from, from + 255);
      w.u8(seg.type).u8(part.length);
      for (const asn of part) {
        if (asnSize === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? AS_TRANS : asn);
      }
    }
  }
}

/** Path length as used by best-path selection: a set counts 1, confederation segments 0. RFC 4271 §9.1.2.2. */
export function asPathLength(path: AsPathSegment[]): number {
  let n = 0;
  for (const seg of path) {
    if (seg.type === AsPathSegmentType.AsSequence) n += seg.asns.length;
    else if (seg.type === AsPathSegmentType.AsSet) n += 1;
  }
  return n;
}

export function needsFourOctets(path: AsPathSegment[]): boolean {
  return path.some((s) => s.asns.some((a) => a > 0xffff));
}

/**
 * Rebuilds the real path from a 2-octet AS_PATH and the AS4_PATH. RFC 6793 §4.2.3:
 * if AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored; otherwise the leading
 * ASNs of AS_PATH (as many as the difference) are kept and AS4_PATH appended.
 */
export function mergeAs4Path(asPath: AsPathSegment[], as4Path: AsPathSegment[]): AsPathSegment[] {
  const keep = asPathLength(asPath) - asPathLength(as4Path);
  if (keep < 0) return asPath;
  const out: AsPathSegment[] = [];
  let left = keep;
  for (const seg of asPath) {
    if (left === 0) break;
    if (seg.type === AsPathSegmentType.AsSequence) {
      const take = Math.min(left, seg.asns.length);
      out.push({ type: seg.type, asns: seg.asns.slice(0, take) });
      left -= take;
    } else if (seg.type === AsPathSegmentType.AsSet) {
      out.push(seg);
      left -= 1;
    } else {
      out.push(seg);
    }
  }
  // Join a trailing kept sequence with a leading AS4 sequence so the result reads as one path.
  const last = out[out.length - 1];
  const first = as4Path[0];
  if (last && first && last.type === AsPathSegmentType.AsSequence && first.type === AsPathSegmentType.AsSequence
    && last.asns.length + first.asns.length <= 255) {
    out[out.length - 1] = { type: last.type, asns: [...last.asns, ...first.asns] };
    return out.concat(as4Path.slice(1));
  }
  return out.concat(as4Path);
}
