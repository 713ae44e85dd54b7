/** Reconnect waits: 0.5 s doubling to a 15 s cap, jitter within ±20 %, reset after a join. */
import t from 'tap';
import { Backoff, FIRST_DELAY_MS, MAX_DELAY_MS } from './backoff.ts';

t.test('doubles from 0.5 s to the 15 s cap without jitter', async (t) => {
  const b = new Backoff(() => 0.5);
  t.same(Array.from({ length: 8 }, () => b.next()), [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  b.reset();
  t.equal(b.next(), FIRST_DELAY_MS);
});

t.test('jitter stays within ±20 % and never passes the cap', async (t) => {
  const low = new Backoff(() => 0);
  const high = new Backoff(() => 0.999999);
  for (let i = 0; i < 10; i++) {
    const nominal = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** i);
    t.equal(low.next(), Math.round(nominal * 0.8));
    t.ok(high.next() <= Math.min(MAX_DELAY_MS, Math.round(nominal * 1.2)));
  }
});
