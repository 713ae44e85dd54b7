/** Sign-in throttling with a fake clock. */
import t from 'tap';
import { ACCOUNT_LIMITS, Throttle } from './throttle.ts';

t.test('five failures lock the key, the lock doubles, and expires', (t) => {
  const th = new Throttle(ACCOUNT_LIMITS);
  let now = 1_000_000;
  for (let i = 0; i < 4; i++) th.fail('alice', now++);
  t.equal(th.retryAfter('alice', now), 0, 'four failures are tolerated');
  th.fail('alice', now);
  t.equal(th.retryAfter('alice', now), 30_000, 'the fifth locks for 30 s');
  th.fail('alice', now);
  t.equal(th.retryAfter('alice', now), 60_000, 'each further failure doubles it');
  now += 60_000;
  t.equal(th.retryAfter('alice', now), 0, 'then it expires');
  t.equal(th.retryAfter('bob', now), 0, 'other keys are untouched');
  t.end();
});

t.test('failures outside the window are forgotten; clear resets', (t) => {
  const th = new Throttle(ACCOUNT_LIMITS);
  let now = 0;
  for (let i = 0; i < 4; i++) th.fail('k', now);
  now += ACCOUNT_LIMITS.windowMs + 1;
  th.fail('k', now);
  t.equal(th.retryAfter('k', now), 0, 'old failures no longer count');
  for (let i = 0; i < 10; i++) th.fail('k', now);
  t.ok(th.retryAfter('k', now) > 0);
  t.ok(th.retryAfter('k', now) <= ACCOUNT_LIMITS.windowMs, 'the lock is capped at the window');
  th.clear('k');
  t.equal(th.retryAfter('k', now), 0);
  t.end();
});
