import t from 'tap';
import fc from 'fast-check';
import { ReceiveCounter, SendWindow } from './flow.ts';

t.test('a sender never has more than a window in flight, and acks free it', (t) => {
  const w = new SendWindow(1000);
  t.equal(w.available, 1000);
  w.sent(600);
  t.equal(w.available, 400);
  w.sent(400);
  t.equal(w.available, 0);
  t.ok(w.acked(500));
  t.equal(w.available, 500);
  t.end();
});

t.test('impossible acks are refused and change nothing', (t) => {
  const w = new SendWindow(1000);
  w.sent(300);
  t.notOk(w.acked(301), 'more than sent');
  t.ok(w.acked(200));
  t.notOk(w.acked(100), 'going backwards');
  t.notOk(w.acked(Number.NaN));
  t.equal(w.inFlight, 100);
  t.end();
});

t.test('receiver acks at least every `every` bytes and the running totals line up with the sender', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 200 }), (chunks) => {
      const w = new SendWindow(20_000);
      const r = new ReceiveCounter(4096);
      let unacked = 0;
      for (const c of chunks) {
        w.sent(c);
        unacked += c;
        const ack = r.consumed(c);
        if (ack !== undefined) {
          if (!w.acked(ack)) return false;
          unacked = 0;
        }
        if (unacked >= 4096 + 5000) return false;
      }
      return w.acked(r.flush()) && w.inFlight === 0;
    }),
  );
  t.end();
});
