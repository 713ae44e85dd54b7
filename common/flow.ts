/**
 * Credit-based flow control for data channels, used by every sender and
 * receiver of bulk bytes (customer client, browser, appliance).
 *
 * The appliance's WebSocket layer (uWS.js 20.30) cannot stop reading a
 * socket, so backpressure cannot be left to TCP across the relay. Instead
 * the final receiver grants credit: a sender keeps at most `WINDOW` bytes
 * sent but not yet acknowledged, and the receiver acknowledges what it has
 * consumed (written to disk, drawn, handed to the terminal) at least every
 * `ACK_EVERY` bytes. Because acknowledgements come from the far end, a slow
 * hop anywhere on the path stops the sender, and no process ever holds more
 * than about one window per stream. The appliance closes a stream whose
 * sender ignores this (`RELAY_LIMIT`).
 */

/** Bytes a sender may have in flight: 4 MiB keeps a 1 Gbit/s loopback busy at a few ms of round trip. */
export const WINDOW = 4 * 1024 * 1024;
/** The receiver acknowledges at least every 512 KiB consumed. */
export const ACK_EVERY = 512 * 1024;
/** What the appliance buffers towards one socket before it closes a stream as misbehaving. */
export const RELAY_LIMIT = 2 * WINDOW;

/** The sender's side: how much may go out now. */
export class SendWindow {
  private sentTotal = 0;
  private ackedTotal = 0;

  constructor(readonly window = WINDOW) {}

  /** Bytes that may be sent now. */
  get available(): number {
    return Math.max(0, this.window - (this.sentTotal - this.ackedTotal));
  }

  get inFlight(): number {
    return this.sentTotal - this.ackedTotal;
  }

  sent(bytes: number): void {
    this.sentTotal += bytes;
  }

  /**
   * Takes the receiver's running total of consumed bytes. Returns false for
   * an impossible value (more than was sent, or going backwards), which the
   * caller treats as a protocol error.
   */
  acked(total: number): boolean {
    if (!Number.isSafeInteger(total) || total < this.ackedTotal || total > this.sentTotal) return false;
    this.ackedTotal = total;
    return true;
  }
}

/** The receiver's side: when to acknowledge. */
export class ReceiveCounter {
  private consumedTotal = 0;
  private lastAck = 0;

  constructor(readonly every = ACK_EVERY) {}

  /** Records consumed bytes; returns the running total to acknowledge now, or undefined when not yet due. */
  consumed(bytes: number): number | undefined {
    this.consumedTotal += bytes;
    if (this.consumedTotal - this.lastAck < this.every) return undefined;
    this.lastAck = this.consumedTotal;
    return this.consumedTotal;
  }

  /** The running total, acknowledged now whatever its size (e.g. at the end of a file). */
  flush(): number {
    this.lastAck = this.consumedTotal;
    return this.consumedTotal;
  }

  get total(): number {
    return this.consumedTotal;
  }
}
