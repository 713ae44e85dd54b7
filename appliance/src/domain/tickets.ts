/**
 * One-time console tickets: My Account's "Start web console" button asks for
 * one and opens `/console#ticket=…` in a new tab, which trades it for a
 * console sign-in. A ticket lives 60 seconds and works once. Pure logic; the
 * caller supplies random values and time.
 */

/** Long enough to open a tab on a slow machine, short enough to be useless if leaked. */
export const TICKET_TTL_MS = 60_000;
/** At most this many unredeemed tickets are kept (oldest dropped first). */
const MAX_TICKETS = 10_000;

export class TicketBook {
  private readonly tickets = new Map<string, { userId: string; expiresAt: number }>();

  issue(ticket: string, userId: string, now: number): void {
    if (this.tickets.size >= MAX_TICKETS) {
      const oldest = this.tickets.keys().next().value;
      if (oldest !== undefined) this.tickets.delete(oldest);
    }
    this.tickets.set(ticket, { userId, expiresAt: now + TICKET_TTL_MS });
  }

  /** Returns the user id once; a second redeem, or one after expiry, returns undefined. */
  redeem(ticket: string, now: number): string | undefined {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!entry || entry.expiresAt <= now) return undefined;
    return entry.userId;
  }
}
