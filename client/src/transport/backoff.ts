/**
 * Reconnect delays: 0.5 s doubling up to 15 s, each scaled by a random
 * factor in [0.8, 1.2) so that many clients cut by the same appliance
 * restart do not all come back in the same millisecond. `reset()` after a
 * successful join starts again at 0.5 s.
 */

/** First wait after a cut: 0.5 s, short enough that a blip is barely noticed. */
export const FIRST_DELAY_MS = 500;
/** Longest wait: 15 s, so a customer never stares at a dead client for long. */
export const MAX_DELAY_MS = 15_000;
/** ±20 % jitter. */
const JITTER = 0.2;

export class Backoff {
  private attempt = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** The wait before the next attempt, in milliseconds. */
  next(): number {
    const nominal = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    if (nominal < MAX_DELAY_MS) this.attempt++;
    const scaled = nominal * (1 - JITTER + 2 * JITTER * this.random());
    return Math.round(Math.min(MAX_DELAY_MS, scaled));
  }

  reset(): void {
    this.attempt = 0;
  }
}
