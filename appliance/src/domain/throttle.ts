/**
 * Sign-in throttling: failures are counted per account and per client
 * address in a sliding window; past a threshold further attempts are refused
 * until the window lets them go, with a delay that doubles per extra failure.
 * A success clears the account's count. Pure logic; time comes from the caller.
 */

export interface ThrottleLimits {
  /** Failures allowed per window before lock-out starts. */
  readonly maxFailures: number;
  /** Window length in ms. */
  readonly windowMs: number;
  /** First lock-out in ms; doubles per further failure, capped at windowMs. */
  readonly baseLockMs: number;
}

/** 5 wrong passwords on one account in 15 minutes lock it for 30 s, then 60 s, … */
export const ACCOUNT_LIMITS: ThrottleLimits = { maxFailures: 5, windowMs: 15 * 60_000, baseLockMs: 30_000 };
/** One address may fail 20 times in 15 minutes across all accounts (password spraying). */
export const ADDRESS_LIMITS: ThrottleLimits = { maxFailures: 20, windowMs: 15 * 60_000, baseLockMs: 30_000 };
/** Bound on tracked keys so a flood of addresses cannot grow memory without limit. */
const MAX_KEYS = 100_000;

interface Entry {
  failures: number[];
  lockedUntil: number;
}

export class Throttle {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly limits: ThrottleLimits) {}

  /** Milliseconds until `key` may try again; 0 when it may try now. */
  retryAfter(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lockedUntil - now);
  }

  fail(key: string, now: number): void {
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= MAX_KEYS) this.prune(now);
      e = { failures: [], lockedUntil: 0 };
      this.entries.set(key, e);
    }
    e.failures = e.failures.filter((t) => now - t < this.limits.windowMs);
    e.failures.push(now);
    const over = e.failures.length - this.limits.maxFailures;
    if (over >= 0) {
      const lock = Math.min(this.limits.windowMs, this.limits.baseLockMs * 2 ** Math.min(over, 20));
      e.lockedUntil = now + lock;
    }
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) {
      if (e.lockedUntil <= now && e.failures.every((t) => now - t >= this.limits.windowMs)) this.entries.delete(k);
    }
    // Still full: drop the oldest half rather than grow.
    if (this.entries.size >= MAX_KEYS) {
      let i = 0;
      for (const k of this.entries.keys()) if (i++ < MAX_KEYS / 2) this.entries.delete(k);
    }
  }
}
