import t from 'tap';
import { Scrollback } from './scrollback.ts';

t.test('keeps everything below the limit, in order', async (t) => {
  const s = new Scrollback(100);
  s.push(Buffer.from('hello '));
  s.push(Buffer.from('world'));
  t.equal(s.snapshot().toString(), 'hello world');
  t.equal(s.size, 11);
});

t.test('copies its input: a caller reusing the buffer does not change what is kept', async (t) => {
  const s = new Scrollback(100);
  const b = Buffer.from('abc');
  s.push(b);
  b.fill(0x7a);
  t.equal(s.snapshot().toString(), 'abc');
});

t.test('drops the oldest bytes past the limit and never holds more', async (t) => {
  const s = new Scrollback(1000);
  let all = '';
  for (let i = 0; i < 500; i++) {
    const line = `line ${i} ${'x'.repeat(i % 37)}\n`;
    all += line;
    s.push(Buffer.from(line));
    t.ok(s.size <= 1000, 'bounded after every push');
  }
  const kept = s.snapshot().toString();
  t.ok(all.endsWith(kept), 'the newest bytes are kept');
  t.ok(kept.startsWith('line '), 'the cut fell on a line start');
  t.ok(kept.length > 900, `most of the limit is used (${kept.length})`);
});

t.test('a single chunk larger than the limit keeps its tail', async (t) => {
  const s = new Scrollback(10);
  s.push(Buffer.from('0123456789abcdefghij'));
  t.equal(s.snapshot().toString(), 'abcdefghij');
});

t.test('pieces split the replay under a frame size', async (t) => {
  const s = new Scrollback(100);
  s.push(Buffer.from('a'.repeat(25)));
  const p = s.pieces(10);
  t.same(p.map((x) => x.length), [10, 10, 5]);
});
