// The screen relay's per-viewer logic with fake peers: credits pace the
// producer, a slow viewer is skipped to the next key frame instead of
// queueing (and never holds the others back), memory stays bounded, and
// input passes only from the viewer whose rep holds control.
import t from 'tap';
import { cursorFrame, updateFrame } from '../../../common/screen-protocol.ts';
import { HIGH_WATER, ScreenFanout, VIEWER_WINDOW, type FanoutHooks, type Peer } from './screen-fanout.ts';

class FakePeer implements Peer {
  readonly text: any[] = [];
  readonly binary: Uint8Array[] = [];
  closed: { code: number; reason: string } | undefined;
  backlog = 0;
  send(data: Uint8Array | string, binary: boolean): void {
    if (binary) this.binary.push(data as Uint8Array);
    else this.text.push(JSON.parse(data as string));
  }
  buffered(): number {
    return this.backlog;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  frames(): number[] {
    return this.binary.filter((b) => b[0] === 1).map((b) => new DataView(b.buffer, b.byteOffset).getUint32(2, true));
  }
  last(t: string): any {
    return [...this.text].reverse().find((m) => m.t === t);
  }
}

const enc = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));

function setup(perms: { control?: boolean; privacy?: boolean } = {}) {
  const events: Array<{ kind: string; actor: string | null }> = [];
  const asked: string[] = [];
  const allow = { control: perms.control ?? true, privacy: perms.privacy ?? true, view: true };
  const hooks: FanoutHooks = {
    canView: () => allow.view,
    canControl: () => allow.control,
    canPrivacy: () => allow.privacy,
    openControl: (rep) => void asked.push(rep.id),
    event: (kind, actor) => void events.push({ kind, actor }),
    customerName: () => 'Carol',
  };
  const fan = new ScreenFanout(hooks);
  const producer = new FakePeer();
  fan.producerOpen(producer);
  return { fan, producer, events, asked, allow };
}

const credits = (p: FakePeer): number => p.text.filter((m) => m.t === 'credit').reduce((n, m) => n + m.n, 0);
const frame = (fan: ScreenFanout, n: number, key = false): void => fan.producerMessage(updateFrame(n, new Uint8Array([9, 9, 9]), key, true), true);

t.test('credits: two frames in flight, refilled by the first viewer to draw one', async (t) => {
  const { fan, producer, events } = setup();
  const a = new FakePeer();
  fan.viewerOpen(a, { id: 'u1', name: 'Alice' });
  t.equal(a.last('status').state, 'asking');
  t.equal(credits(producer), 0, 'no credit before the customer allowed viewing');
  fan.producerMessage(enc({ t: 'hello', allowed: true }), false);
  t.equal(a.last('status').state, 'viewing');
  t.match(events.map((e) => e.kind), ['screen_view_allowed', 'screen_view_started']);
  t.equal(credits(producer), 2);
  t.ok(producer.text.some((m) => m.t === 'key'), 'a key frame is asked for the new viewer');
  frame(fan, 0, true);
  frame(fan, 1);
  frame(fan, 2); // no credit left: dropped
  t.same(a.frames(), [0, 1]);
  fan.viewerMessage(a, enc({ t: 'ack', frame: 0 }), false);
  t.equal(credits(producer), 3, 'one credit back per drawn frame');
  frame(fan, 3);
  t.same(a.frames(), [0, 1, 3]);
});

t.test('a slow viewer skips to the next key frame and never holds back a fast one', async (t) => {
  const { fan, producer } = setup();
  const fast = new FakePeer();
  const slow = new FakePeer();
  fan.viewerOpen(fast, { id: 'u1', name: 'Alice' });
  fan.viewerOpen(slow, { id: 'u2', name: 'Bob' });
  fan.producerMessage(enc({ t: 'hello', allowed: true }), false);
  let next = 0;
  frame(fan, next++, true);
  for (let i = 0; i < 30; i++) {
    fan.viewerMessage(fast, enc({ t: 'ack', frame: next - 1 }), false);
    frame(fan, next++);
  }
  t.equal(fast.frames().length, 31, 'the fast viewer got every frame');
  t.equal(slow.frames().length, VIEWER_WINDOW, 'the slow viewer got only its window');
  const keysBefore = producer.text.filter((m) => m.t === 'key').length;
  fan.viewerMessage(slow, enc({ t: 'ack', frame: slow.frames()[VIEWER_WINDOW - 1] }), false);
  t.equal(producer.text.filter((m) => m.t === 'key').length, keysBefore + 1, 'a key frame is asked once the slow viewer has room');
  fan.viewerMessage(fast, enc({ t: 'ack', frame: next - 1 }), false);
  frame(fan, next++); // a delta: the slow viewer cannot use it
  t.equal(slow.frames().length, VIEWER_WINDOW);
  fan.viewerMessage(fast, enc({ t: 'ack', frame: next - 1 }), false);
  frame(fan, next++, true);
  t.equal(slow.frames().at(-1), next - 1, 'the slow viewer resumes with the newest key frame');
  t.equal(fast.frames().at(-1), next - 1);
});

t.test('a viewer with a full socket buffer is skipped, cursor moves still flow when it drains', async (t) => {
  const { fan } = setup();
  const a = new FakePeer();
  const b = new FakePeer();
  fan.viewerOpen(a, { id: 'u1', name: 'Alice' });
  fan.viewerOpen(b, { id: 'u2', name: 'Bob' });
  fan.producerMessage(enc({ t: 'hello', allowed: true }), false);
  b.backlog = HIGH_WATER + 1;
  frame(fan, 0, true);
  t.same(a.frames(), [0]);
  t.same(b.frames(), [], 'backpressured viewer skipped');
  const shape = { width: 2, height: 2, xhot: 0, yhot: 0, rgba: new Uint8Array(16).fill(200) };
  fan.producerMessage(cursorFrame(5, 5, shape), true);
  b.backlog = 0;
  fan.producerMessage(cursorFrame(6, 6), true);
  const cursors = b.binary.filter((x) => x[0] === 2);
  t.equal(cursors.length, 2, 'the missed shape is sent before the next move');
  t.equal(cursors[0]!.length, 14 + 16);
});

t.test('input only from the rep holding control, checked on every message', async (t) => {
  const { fan, asked, events, allow } = setup();
  const alice = new FakePeer();
  const bob = new FakePeer();
  fan.viewerOpen(alice, { id: 'u1', name: 'Alice' });
  fan.viewerOpen(bob, { id: 'u2', name: 'Bob' });
  fan.producerMessage(enc({ t: 'hello', allowed: true }), false);
  const pointer = enc({ t: 'pointer', x: 10, y: 10, buttons: 1 });
  fan.viewerMessage(alice, pointer, false);
  t.equal(alice.last('error').code, 'SCREEN_NO_CONTROL', 'no control yet');

  fan.viewerMessage(alice, enc({ t: 'control', on: true }), false);
  t.same(asked, ['u1'], 'the customer is asked for a control channel');
  t.equal(alice.last('control').state, 'asking');
  const control = new FakePeer();
  fan.controlOpen(control);
  fan.controlMessage(control, enc({ t: 'hello', allowed: true }), false);
  t.match(alice.last('control'), { state: 'granted', holder: 'Alice', mine: true });
  t.match(bob.last('control'), { state: 'granted', holder: 'Alice', mine: false });
  t.ok(events.some((e) => e.kind === 'screen_control_allowed' && e.actor === 'Carol'));

  fan.viewerMessage(alice, pointer, false);
  t.equal(control.text.length, 1, 'the controller\'s input is forwarded');
  t.same(control.text[0], { t: 'pointer', x: 10, y: 10, buttons: 1 });
  fan.viewerMessage(bob, pointer, false);
  fan.viewerMessage(bob, enc({ t: 'key', keysym: 65, down: true }), false);
  t.equal(control.text.length, 1, 'a view-only rep\'s input goes nowhere');
  t.equal(bob.last('error').code, 'SCREEN_NO_CONTROL');
  fan.viewerMessage(bob, enc({ t: 'control', on: true }), false);
  t.equal(bob.last('error').code, 'SCREEN_CONTROL_HELD');

  allow.privacy = false;
  fan.viewerMessage(alice, enc({ t: 'privacy', on: true }), false);
  t.equal(alice.last('error').code, 'SCREEN_NO_PERMISSION', 'privacy screen needs its own permission');
  allow.control = false;
  fan.viewerMessage(alice, pointer, false);
  t.equal(alice.last('error').code, 'SCREEN_NO_PERMISSION', 'a permission taken away mid-session stops input at once');
  t.equal(control.text.length, 1);
  allow.control = true;

  fan.viewerMessage(alice, new Uint8Array([1, 2, 3]), true);
  fan.viewerMessage(alice, enc({ t: 'pointer', x: 'a', y: 0, buttons: 0 }), false);
  t.equal(control.text.length, 1, 'binary and malformed frames are refused');

  control.text.length = 0;
  fan.controlMessage(control, enc({ t: 'clipboard', text: 'from X' }), false);
  t.equal(alice.last('clipboard').text, 'from X', 'clipboard text goes to the controller');
  t.equal(bob.last('clipboard'), undefined, 'and not to view-only reps');

  fan.viewerMessage(alice, enc({ t: 'control', on: false }), false);
  t.ok(control.closed, 'releasing control closes the control channel');
  t.equal(alice.last('control').state, 'none');
  fan.viewerMessage(alice, pointer, false);
  t.equal(control.text.length, 0);
  t.ok(events.some((e) => e.kind === 'screen_control_released' && e.actor === 'Alice'));
});

t.test('refusals and endings', async (t) => {
  const { fan, producer, events } = setup();
  const a = new FakePeer();
  fan.viewerOpen(a, { id: 'u1', name: 'Alice' });
  fan.producerMessage(enc({ t: 'hello', allowed: false }), false);
  t.equal(a.last('status').state, 'refused');
  t.ok(a.closed && producer.closed, 'both sides closed');
  t.ok(events.some((e) => e.kind === 'screen_view_refused'));
  t.ok(fan.isEnded);

  const s = setup();
  const v = new FakePeer();
  s.fan.viewerOpen(v, { id: 'u1', name: 'Alice' });
  s.fan.producerMessage(enc({ t: 'hello', allowed: true }), false);
  s.fan.viewerClose(v);
  t.ok(s.producer.closed, 'the last viewer leaving stops the capture');
  t.ok(s.events.some((e) => e.kind === 'screen_view_stopped' && e.actor === 'Alice'));

  const p = setup({ control: false });
  const w = new FakePeer();
  p.fan.viewerOpen(w, { id: 'u1', name: 'Alice' });
  p.fan.producerMessage(enc({ t: 'hello', allowed: true }), false);
  p.fan.viewerMessage(w, enc({ t: 'control', on: true }), false);
  t.equal(w.last('error').code, 'SCREEN_NO_PERMISSION');
  t.same(p.asked, [], 'a view-only rep never causes a control channel');
  const stray = new FakePeer();
  p.fan.controlOpen(stray);
  t.ok(stray.closed, 'a control channel nobody asked for is closed');
});
