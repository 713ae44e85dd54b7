import t from 'tap';
import fc from 'fast-check';
import { allowedAt, localTime, nextAllowed, parseClock, validTimeZone } from './jump-policy.ts';

// Weekdays 08:00–18:00 in Berlin.
const office = { timeZone: 'Europe/Berlin', windows: [1, 2, 3, 4, 5].map((day) => ({ day, from: 8 * 60, to: 18 * 60 })) };

t.test('local time follows the zone, daylight saving included', (t) => {
  t.same(localTime(Date.UTC(2026, 0, 5, 7, 30), 'Europe/Berlin'), { day: 1, minute: 8 * 60 + 30 }, 'winter: UTC+1');
  t.same(localTime(Date.UTC(2026, 6, 6, 6, 30), 'Europe/Berlin'), { day: 1, minute: 8 * 60 + 30 }, 'summer: UTC+2');
  t.ok(validTimeZone('America/New_York'));
  t.notOk(validTimeZone('Mars/Olympus'));
  t.end();
});

t.test('inside and outside the windows, and the next opening', (t) => {
  t.ok(allowedAt(office, Date.UTC(2026, 0, 5, 7, 0)), 'Monday 08:00 Berlin');
  t.notOk(allowedAt(office, Date.UTC(2026, 0, 5, 17, 0)), 'Monday 18:00 Berlin: the end is exclusive');
  const friday = Date.UTC(2026, 0, 9, 18, 30); // Friday 19:30 Berlin
  t.notOk(allowedAt(office, friday));
  t.equal(nextAllowed(office, friday), Date.UTC(2026, 0, 12, 7, 0), 'next Monday 08:00 Berlin');
  t.equal(nextAllowed({ timeZone: 'UTC', windows: [] }, friday), undefined, 'a policy without windows never allows');
  t.end();
});

t.test('nextAllowed is always allowed, never earlier than asked, and nothing in between is', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 0, 1) }), (at) => {
      const n = nextAllowed(office, at)!;
      if (n < at || !allowedAt(office, n)) return false;
      // Spot-check a few minutes before it.
      for (let k = 1; k <= 5 && n - k * 60_000 >= at; k++) if (allowedAt(office, n - k * 60_000)) return false;
      return true;
    }),
    { numRuns: 60 },
  );
  t.end();
});

t.test('clock parsing', (t) => {
  t.equal(parseClock('08:30'), 510);
  t.equal(parseClock('24:00'), 1440);
  for (const bad of ['8:30', '24:01', '12:60', 'noon', '']) t.equal(parseClock(bad), undefined, bad);
  t.end();
});
