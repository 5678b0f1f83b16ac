/**
 * The octal escapes of tinydns-data: `\NNN` (one to three octal digits) is one
 * byte; a backslash before any other character keeps that character; a lone
 * trailing backslash is dropped. Names additionally split on unescaped dots,
 * skip empty labels and are limited to 63-byte labels / 255-byte names
 * (RFC 1035 §2.3.4). Input strings are latin1 so each char is one byte.
 */

export class EscapeError extends Error {
  constructor(
    message: string,
    /** 0-based offset inside the field where the problem starts. */
    readonly offset: number,
  ) {
    super(message);
  }
}

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

/** Reads one possibly escaped byte at i; returns [byte, nextIndex, wasEscaped] or null at a lone trailing backslash. */
function readByte(s: string, i: number): [number, number, boolean] | null {
  const c = s.charCodeAt(i);
  if (c !== 0x5c) return [c & 0xff, i + 1, false];
  if (i + 1 >= s.length) return null;
  let j = i + 1;
  let v = s.charCodeAt(j);
  if (!isOctal(v)) return [v & 0xff, j + 1, true];
  v -= 0x30;
  j++;
  for (let k = 0; k < 2 && j < s.length && isOctal(s.charCodeAt(j)); k++, j++) v = (v << 3) + (s.charCodeAt(j) - 0x30);
  return [v & 0xff, j, true];
}

/** TXT and generic rdata text with escapes decoded to bytes. */
export function unescapeBytes(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const r = readByte(s, i);
    if (!r) break;
    out.push(r[0]);
    i = r[1];
  }
  return Buffer.from(out);
}

/** A dotted name with escapes → uncompressed wire format (labels + terminating zero). */
export function nameToWire(s: string): Buffer {
  const out: number[] = [];
  let label: number[] = [];
  let labelStart = 0;
  const flush = (at: number) => {
    if (label.length === 0) return;
    if (label.length > 63) throw new EscapeError(`label longer than 63 bytes`, labelStart);
    out.push(label.length, ...label);
    label = [];
    labelStart = at;
  };
  for (let i = 0; i < s.length; ) {
    const r = readByte(s, i);
    if (!r) break;
    const [byte, next, escaped] = r;
    if (byte === 0x2e && !escaped) flush(next);
    else {
      if (label.length === 0) labelStart = i;
      label.push(byte);
    }
    i = next;
  }
  flush(s.length);
  out.push(0);
  if (out.length > 255) throw new EscapeError(`name longer than 255 bytes`, 0);
  return Buffer.from(out);
}
