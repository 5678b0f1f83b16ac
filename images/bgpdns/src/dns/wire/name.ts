/**
 * Domain names in wire format (RFC 1035 §3.1): helpers that the zone and the
 * hot path share. Keys are latin1 strings of the ASCII-lowercased wire bytes,
 * so that Map lookups need no decoding and any byte is allowed in a label.
 */

/**
 * Offset after a (possibly compressed) name at `at`, or -1 when it runs past the
 * message, has a reserved label type or is too long. With `backwardPointers`, a
 * compression pointer must also point before itself (a response walked for
 * caching is refused rather than trusted with a loop).
 */
export function skipName(msg: Buffer, at: number, backwardPointers = false): number {
  for (let guard = 0; guard < 128; guard++) {
    if (at >= msg.length) return -1;
    const len = msg[at];
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) {
      if (at + 2 > msg.length || (backwardPointers && (((len & 0x3f) << 8) | msg[at + 1]) >= at)) return -1;
      return at + 2;
    }
    if (len & 0xc0) return -1;
    at += 1 + len;
  }
  return -1;
}

/** ASCII-only lowercase (as tinydns's case_lowerb); other bytes are kept. */
export function lowerWire(wire: Buffer): Buffer {
  const out = Buffer.from(wire);
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    if (c >= 0x41 && c <= 0x5a) out[i] = c | 0x20;
  }
  return out;
}

export function wireKey(wire: Buffer): string {
  return lowerWire(wire).toString('latin1');
}

/** Parent of a name key (drops the first label); the root's parent is null. */
export function parentKey(key: string): string | null {
  const len = key.charCodeAt(0);
  if (len === 0) return null;
  return key.slice(1 + len);
}

export const wildcardLabel = '\x01*';

/** Dotted text for logs and tests; dots and unusual bytes inside labels are escaped as \DDD. */
export function keyToDotted(key: string): string {
  const labels: string[] = [];
  for (let i = 0; i < key.length; ) {
    const len = key.charCodeAt(i);
    if (len === 0) break;
    let label = '';
    for (let j = i + 1; j <= i + len; j++) {
      const c = key.charCodeAt(j);
      label += c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c ? key[j] : `\\${String(c).padStart(3, '0')}`;
    }
    labels.push(label);
    i += 1 + len;
  }
  return labels.length ? labels.join('.') + '.' : '.';
}

export function dottedToKey(dotted: string): string {
  const parts = dotted.split('.').filter((l) => l.length > 0);
  let key = '';
  for (const p of parts) key += String.fromCharCode(p.length) + p.toLowerCase();
  return key + '\0';
}
