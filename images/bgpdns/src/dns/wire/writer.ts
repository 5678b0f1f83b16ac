/**
 * A growable message writer with RFC 1035 §4.1.4 name compression. Used when a
 * response template is built (once per name/type/location), never per query.
 * Compression matches suffixes ASCII-case-insensitively, as tinydns does.
 */
export class MessageWriter {
  private buf = Buffer.alloc(512);
  length = 0;
  private readonly suffixes = new Map<string, number>();

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  setU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }

  /** Writes a wire-format name, compressing against every name written so far. */
  name(wire: Buffer): void {
    let i = 0;
    while (wire[i] !== 0) {
      const key = lowerSuffix(wire, i);
      const at = this.suffixes.get(key);
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.length < 0x4000) this.suffixes.set(key, this.length);
      const len = wire[i];
      this.bytes(wire.subarray(i, i + 1 + len));
      i += 1 + len;
    }
    this.u8(0);
  }

  /** Registers a name already present at `at` (the question) without writing it. */
  remember(wire: Buffer, at: number): void {
    let i = 0;
    while (wire[i] !== 0 && at + i < 0x4000) {
      this.suffixes.set(lowerSuffix(wire, i), at + i);
      i += 1 + wire[i];
    }
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

function lowerSuffix(wire: Buffer, from: number): string {
  let s = '';
  for (let i = from; i < wire.length; i++) {
    const c = wire[i];
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
  }
  return s;
}
