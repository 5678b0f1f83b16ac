/**
 * Framing of FRR's vty unix-socket protocol (the one vtysh speaks to each daemon).
 * A client sends a command terminated by one NUL byte; the daemon answers with the
 * command's output followed by three NUL bytes and one status byte. Pure: bytes in,
 * replies out — no sockets, no timers, so it is tested by splitting at every offset.
 */

/** Status byte of a reply: FRR lib/command.h `CMD_*` return codes. */
export const enum VtyStatus {
  Success = 0,
  Warning = 1,
  ErrNoMatch = 2,
  ErrAmbiguous = 3,
  ErrIncomplete = 4,
  ErrExceedArgcMax = 5,
  ErrNothingTodo = 6,
  CompleteFullMatch = 7,
  CompleteMatch = 8,
  CompleteListMatch = 9,
  SuccessDaemon = 10,
  ErrNoFile = 11,
  Suspend = 12,
  WarningConfigFailed = 13,
  NotMyInstance = 14,
  NoLevelUp = 15,
  ErrNoDaemon = 16,
}

const statusNames: Record<number, string> = {
  0: 'success',
  1: 'warning',
  2: 'unknown command',
  3: 'ambiguous command',
  4: 'incomplete command',
  5: 'too many arguments',
  6: 'nothing to do',
  10: 'success (daemon)',
  11: 'no such file',
  13: 'configuration failed',
  14: 'not my instance',
  15: 'no level up',
  16: 'no such daemon',
};

/** Human name of a status byte, for error messages. */
export function vtyStatusName(status: number): string {
  return statusNames[status] ?? `status ${status}`;
}

export interface VtyReply {
  status: number;
  output: string;
}

/** Bytes that end every reply before the status byte. */
const TERMINATOR_LENGTH = 3;

/**
 * Accepts socket chunks of any size and yields whole replies. Output text never
 * contains NUL, so the first run of three NULs followed by one more byte ends a reply.
 */
export class VtyReplyFramer {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  push(chunk: Buffer): VtyReply[] {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const replies: VtyReply[] = [];
    let buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
    for (;;) {
      const end = findTerminator(buf);
      if (end < 0) break;
      replies.push({ output: buf.subarray(0, end).toString('utf8'), status: buf[end + TERMINATOR_LENGTH] });
      buf = buf.subarray(end + TERMINATOR_LENGTH + 1);
    }
    this.pending = buf.length > 0 ? [buf] : [];
    this.pendingLength = buf.length;
    return replies;
  }

  /** Bytes received that do not yet form a whole reply. */
  get buffered(): number {
    return this.pendingLength;
  }
}

/** Index of the first NUL NUL NUL that has a status byte after it, or -1. */
function findTerminator(buf: Buffer): number {
  let from = 0;
  for (;;) {
    const i = buf.indexOf(0, from);
    if (i < 0 || i + TERMINATOR_LENGTH >= buf.length) return -1;
    if (buf[i + 1] === 0 && buf[i + 2] === 0) return i;
    from = i + 1;
  }
}

/** Encode one command for the wire. */
export function encodeVtyCommand(command: string): Buffer {
  if (command.includes('\0')) throw new Error(`vty command must not contain NUL: ${JSON.stringify(command)}`);
  return Buffer.from(`${command}\0`, 'utf8');
}
