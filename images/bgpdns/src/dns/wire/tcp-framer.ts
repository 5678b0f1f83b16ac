/** DNS over TCP framing (RFC 1035 §4.2.2): chunks of any size in, whole messages out. */
export class TcpFramer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onMessage: (msg: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 2) {
      const len = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + len) break;
      const msg = Buffer.from(this.pending.subarray(2, 2 + len));
      this.pending = this.pending.subarray(2 + len);
      this.onMessage(msg);
    }
  }

  static frame(msg: Buffer): Buffer {
    const out = Buffer.allocUnsafe(2 + msg.length);
    out.writeUInt16BE(msg.length, 0);
    msg.copy(out, 2);
    return out;
  }
}
