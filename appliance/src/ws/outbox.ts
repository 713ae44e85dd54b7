/**
 * Backpressure for one socket. Contract:
 * - `send` writes at once while the socket's own buffer is below HIGH_WATER;
 *   above it, messages wait in this outbox (in order).
 * - `drain` (wired to uWS `drain`) writes waiting messages until the buffer is
 *   above HIGH_WATER again.
 * - When the waiting bytes pass MAX_QUEUED the peer is too slow to keep: the
 *   outbox reports `overflow` and the caller closes the socket. Console state
 *   is re-sent in full on reconnect, so nothing is lost by closing.
 * Screen frames will use their own latest-only slot in the relay; this
 * outbox is for control messages, which must not be dropped silently.
 */

/** 256 KiB in the kernel/uWS buffer is enough to keep a console link busy. */
export const HIGH_WATER = 256 * 1024;
/** 8 MiB of waiting control messages means the console stopped reading. */
export const MAX_QUEUED = 8 * 1024 * 1024;

export interface Sink {
  send(message: string | Uint8Array, isBinary?: boolean): number;
  getBufferedAmount(): number;
}

export class Outbox {
  private readonly waiting: Array<string | Uint8Array> = [];
  private waitingBytes = 0;

  /** Returns false when the outbox overflowed; the caller must close the socket. */
  send(sink: Sink, message: string | Uint8Array): boolean {
    if (this.waiting.length === 0 && sink.getBufferedAmount() < HIGH_WATER) {
      sink.send(message, typeof message !== 'string');
      return true;
    }
    this.waiting.push(message);
    this.waitingBytes += typeof message === 'string' ? Buffer.byteLength(message) : message.byteLength;
    return this.waitingBytes <= MAX_QUEUED;
  }

  drain(sink: Sink): void {
    while (this.waiting.length > 0 && sink.getBufferedAmount() < HIGH_WATER) {
      const next = this.waiting.shift()!;
      this.waitingBytes -= typeof next === 'string' ? Buffer.byteLength(next) : next.byteLength;
      sink.send(next, typeof next !== 'string');
    }
  }

  get queuedBytes(): number {
    return this.waitingBytes;
  }
}
