/**
 * The sorter prober's UDP client, on the harness's own protocol code
 * (sorter-wire.ts): one socket, queries matched to answers by request id and
 * nonce, answers accepted only with a valid MAC and a timestamp within 5 s.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { decodeWireAnswer, encodeWireQuery, wireMacValid, type WireAnswer } from './sorter-wire.js';

export class ProbeTimeoutError extends Error {}

/** What the prober asks: a client, the candidates, and how long to wait; what it reads of the answer. */
export interface SorterAsker {
  rank(req: { client: string; clientPrefixLen?: number; candidates: string[] }, opts: { timeoutMs: number }): Promise<Pick<WireAnswer, 'status' | 'matchedPrefix' | 'scopeLength' | 'neighborAs' | 'generation' | 'preferences'>>;
}

const WINDOW_MS = 5000;

/** "ID:HEX" or "HEX" (key id 1), at least 16 octets: the sorter's key file format (docs/bgpdns-protocol.md §5). */
export function parseKeyFile(text: string): [number, Buffer] {
  const m = /^(?:(\d{1,10}):)?([0-9a-fA-F]{32,})$/.exec(text.trim());
  if (!m || m[2].length % 2 !== 0 || Number(m[1] ?? 1) > 0xffffffff) throw new Error('a key is "ID:HEX" (or "HEX") with at least 16 octets of hex');
  return [Number(m[1] ?? 1), Buffer.from(m[2], 'hex')];
}

export class SorterUdpClient implements SorterAsker {
  private readonly pending = new Map<number, { nonce: bigint; resolve: (a: WireAnswer) => void; timer: NodeJS.Timeout }>();
  private nextId = randomBytes(4).readUInt32BE(0);

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly host: string,
    private readonly port: number,
    private readonly keyId: number,
    private readonly key: Buffer,
  ) {
    socket.on('message', (msg) => this.onMessage(msg));
    socket.on('error', () => undefined);
  }

  static async open(host: string, port: number, keyId: number, key: Buffer): Promise<SorterUdpClient> {
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => resolve());
    });
    return new SorterUdpClient(socket, host, port, keyId, key);
  }

  rank(req: { client: string; clientPrefixLen?: number; candidates: string[] }, opts: { timeoutMs: number }): Promise<WireAnswer> {
    const requestId = (this.nextId = (this.nextId + 1) >>> 0);
    const nonce = randomBytes(8).readBigUInt64BE(0);
    const wire = encodeWireQuery({ requestId, keyId: this.keyId, timestamp: Date.now(), nonce, ...req }, this.key);
    return new Promise<WireAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ProbeTimeoutError(`sorter ${this.host}:${this.port} did not answer within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      this.pending.set(requestId, { nonce, resolve, timer });
      this.socket.send(wire, this.port, this.host);
    });
  }

  private onMessage(msg: Buffer): void {
    if (!wireMacValid(msg, this.key)) return;
    let a: WireAnswer;
    try {
      a = decodeWireAnswer(msg);
    } catch {
      return;
    }
    const p = this.pending.get(a.requestId);
    if (!p || p.nonce !== a.nonce || Math.abs(Date.now() - a.timestamp) > WINDOW_MS) return;
    this.pending.delete(a.requestId);
    clearTimeout(p.timer);
    p.resolve(a);
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.socket.close();
  }
}
