/**
 * Cuts a TCP byte stream into whole BGP messages. Accepts chunks of any size;
 * a message inside one chunk is returned as a view (no copy), one spanning
 * chunks is joined once. RFC 4271 §4.1.
 */
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from './message-types.js';
import { decodeHeader } from './header.js';

export class Framer {
  private chunks: Uint8Array[] = [];
  /** Read position inside chunks[0]. */
  private offset = 0;
  private buffered = 0;
  maxLength = MAX_MESSAGE_LENGTH;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Bytes received but not yet returned as messages. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * The next whole message (header included), or undefined when more bytes are needed.
   * Throws BgpError (Message Header Error) on a bad header; the stream is then unusable.
   */
  next(): Uint8Array | undefined {
    if (this.buffered < HEADER_LENGTH) return undefined;
    let first = this.chunks[0];
    if (first.length - this.offset < HEADER_LENGTH) {
      this.coalesce(HEADER_LENGTH);
      first = this.chunks[0];
    }
    const { length } = decodeHeader(first, this.offset, this.maxLength);
    if (this.buffered < length) return undefined;
    if (first.length - this.offset < length) {
      this.coalesce(length);
      first = this.chunks[0];
    }
    const message = first.subarray(this.offset, this.offset + length);
    this.offset += length;
    this.buffered -= length;
    if (this.offset === first.length) {
      this.chunks.shift();
      this.offset = 0;
    }
    return message;
  }

  /** Joins leading chunks so that chunks[0] holds at least `need` unread bytes. */
  private coalesce(need: number): void {
    let have = this.chunks[0].length - this.offset;
    let take = 1;
    while (have < need) have += this.chunks[take++].length;
    const joined = new Uint8Array(have);
    let at = 0;
    for (let i = 0; i < take; i++) {
      const c = i === 0 ? this.chunks[0].subarray(this.offset) : this.chunks[i];
      joined.set(c, at);
      at += c.length;
    }
    this.chunks.splice(0, take, joined);
    this.offset = 0;
  }
}
