/**
 * Jump policies (F15): when jump items may be used. A policy is a set of
 * weekly windows in one time zone; a jump outside every window is refused
 * with the next time one opens. Pure: the appliance checks, the console
 * shows the same answer.
 */

export interface PolicyWindow {
  /** 0 = Sunday … 6 = Saturday, in the policy's time zone. */
  readonly day: number;
  /** Minutes after midnight, start inclusive. */
  readonly from: number;
  /** Minutes after midnight, end exclusive; 1440 = midnight at the end of the day. */
  readonly to: number;
}

export interface JumpPolicy {
  readonly id: string;
  name: string;
  /** An IANA time zone such as Europe/Berlin; UTC by default. */
  timeZone: string;
  windows: PolicyWindow[];
}

export const MAX_WINDOWS = 50;

/** Whether `tz` is a time zone this runtime knows. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Weekday and minute of the day of `at` in `tz`. */
export function localTime(at: number, tz: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { day: DAYS.indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function allowedAt(policy: Pick<JumpPolicy, 'timeZone' | 'windows'>, at: number): boolean {
  const { day, minute } = localTime(at, policy.timeZone);
  return policy.windows.some((w) => w.day === day && minute >= w.from && minute < w.to);
}

/**
 * The first minute at or after `at` when the policy allows a jump, or
 * undefined when it never does (no windows). Searched minute by minute over
 * the next eight days, aligned to whole minutes.
 */
export function nextAllowed(policy: Pick<JumpPolicy, 'timeZone' | 'windows'>, at: number): number | undefined {
  if (policy.windows.length === 0) return undefined;
  const start = Math.ceil(at / 60_000) * 60_000;
  for (let t = start; t < start + 8 * 1440 * 60_000; t += 60_000) if (allowedAt(policy, t)) return t;
  return undefined;
}

/** Parses "HH:MM" (00:00–24:00) to minutes, or undefined. */
export function parseClock(s: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && v <= 1440 ? v : undefined;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
