/**
 * The shell relay's flow control and bookkeeping with stand-in sockets whose
 * send buffers the test controls: a slow viewer beside a fast one is
 * resynced from the scrollback instead of holding the pty back; when every
 * viewer is behind the acks stop (the client's window fills) and resume on
 * drain; without viewers the output is acknowledged and only the scrollback
 * is kept; a client that ignores its window is cut off; keystrokes typed
 * before the client connected reach it after the pty's size.
 */
import t from 'tap';
import { RELAY_LIMIT } from '../../../common/flow.ts';
import { SHELL_ACK_EVERY } from '../../../common/shell-protocol.ts';
import type { ShellRecordingStore } from '../store/shell-recordings.ts';
import { SCROLLBACK_BYTES } from './scrollback.ts';
import { SHELL_CLOSE, ShellRelay, VIEWER_DROP_AT, VIEWER_HIGH_WATER, VIEWER_LOW_WATER, type ShellSocket, type ShellTicket } from './shell.ts';

class FakeSocket implements ShellSocket {
  buffered = 0;
  binary: Buffer[] = [];
  text: any[] = [];
  ended: number | undefined;
  /** Bytes "sent" stay in the buffer until `drainAll`, when `sticky`. */
  constructor(private readonly sticky = false) {}
  send(data: Uint8Array | string, isBinary: boolean): number {
    if (isBinary) this.binary.push(Buffer.from(data as Uint8Array));
    else this.text.push(JSON.parse(String(data)));
    if (this.sticky) this.buffered += typeof data === 'string' ? data.length : data.length;
    return 1;
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  end(code?: number): void {
    this.ended = code;
  }
  output(): string {
    return Buffer.concat(this.binary).toString('latin1');
  }
  acks(): number[] {
    return this.text.filter((m) => m.t === 'ack').map((m) => m.total);
  }
}

const SESSION = 'S'.repeat(22);
let ids = 0;

function relay(): ShellRelay {
  return new ShellRelay({
    requireMember: () => ({ members: ['u1', 'u2'], kind: 'client' }),
    mayUseShell: () => true,
    displayName: () => 'Alice',
    newChannelId: () => `${String(++ids).padStart(22, 'C')}`,
    callCustomer: () => undefined,
    issueConsoleTicket: () => 'ticket',
    recordEvent: () => undefined,
    publishShells: () => undefined,
    recordShells: () => false,
    recordings: undefined as unknown as ShellRecordingStore,
    warn: () => undefined,
  });
}

function setup(r: ShellRelay, viewers: FakeSocket[]): { shellId: string; customer: FakeSocket; output(bytes: number, ch?: string): void; vt: (ws: FakeSocket) => ShellTicket; ct: ShellTicket } {
  const { channelId } = r.open('u1', SESSION, 80, 24);
  const ct: ShellTicket = { sessionId: SESSION, side: 'customer', userId: null, channelId };
  const vt = (): ShellTicket => ({ sessionId: SESSION, side: 'console', userId: 'u1', channelId });
  const customer = new FakeSocket();
  r.socketOpened(customer, ct);
  for (const v of viewers) r.socketOpened(v, vt());
  return {
    shellId: channelId,
    customer,
    ct,
    vt,
    output: (bytes, ch = 'x') => r.socketMessage(customer, ct, Buffer.alloc(bytes, ch), true),
  };
}

t.test('a slow viewer beside a fast one is resynced, the pty keeps running', async (t) => {
  const r = relay();
  const fast = new FakeSocket();
  const slow = new FakeSocket(true);
  const s = setup(r, [fast, slow]);
  for (let i = 0; i < 80; i++) s.output(64 * 1024, String.fromCharCode(97 + (i % 26)));
  t.ok(slow.buffered > VIEWER_HIGH_WATER, 'the slow viewer is behind');
  t.ok(slow.buffered <= VIEWER_DROP_AT + 64 * 1024 + 1024, `it is not sent more than the drop limit (${slow.buffered})`);
  t.equal(fast.binary.reduce((n, b) => n + b.length, 0), 80 * 64 * 1024, 'the fast viewer got every byte');
  t.equal(s.customer.acks().at(-1), 80 * 64 * 1024, 'acks kept flowing: the pty was not held back');
  const before = slow.text.filter((m) => m.t === 'reset').length;
  slow.buffered = VIEWER_LOW_WATER - 1;
  r.socketDrained(slow, s.vt(slow));
  t.equal(slow.text.filter((m) => m.t === 'reset').length, before + 1, 'after draining it gets a reset…');
  const tail = Buffer.concat(slow.binary.slice(-4)).toString('latin1');
  t.equal(tail.length, 4 * 64 * 1024, '…and the scrollback in 64 KiB frames');
  t.equal(tail, fast.output().slice(-tail.length), 'the replay ends with the newest output');
});

t.test('when every viewer is behind, acks stop until one drains', async (t) => {
  const r = relay();
  const only = new FakeSocket(true);
  const s = setup(r, [only]);
  s.output(VIEWER_HIGH_WATER + 1024);
  const held = s.customer.acks().length;
  s.output(SHELL_ACK_EVERY * 3);
  t.equal(s.customer.acks().length, held, 'no ack while the only viewer is behind');
  t.equal(only.text.filter((m) => m.t === 'reset').length, 1, 'no resync: it keeps the whole stream (only the attach reset)');
  only.buffered = 0;
  r.socketDrained(only, s.vt(only));
  t.equal(s.customer.acks().at(-1), VIEWER_HIGH_WATER + 1024 + SHELL_ACK_EVERY * 3, 'the drain acknowledges everything taken');
});

t.test('without viewers the output is acknowledged and only the scrollback kept', async (t) => {
  const r = relay();
  const s = setup(r, []);
  for (let i = 0; i < 40; i++) s.output(64 * 1024);
  t.equal(s.customer.acks().at(-1), 40 * 64 * 1024);
  const late = new FakeSocket();
  r.socketOpened(late, s.vt(late));
  t.ok(late.output().length <= SCROLLBACK_BYTES, 'a late viewer gets at most the scrollback');
  t.ok(late.output().length > SCROLLBACK_BYTES - 4096);
});

t.test('a client that ignores its window is cut off', async (t) => {
  const r = relay();
  const only = new FakeSocket(true);
  const s = setup(r, [only]);
  only.buffered = VIEWER_HIGH_WATER + 1;
  for (let i = 0; i * 256 * 1024 <= RELAY_LIMIT + 256 * 1024 && s.customer.ended === undefined; i++) s.output(256 * 1024);
  t.equal(s.customer.ended, SHELL_CLOSE.tooFast);
});

t.test('keystrokes before the client connects wait; the pty gets the size first', async (t) => {
  const r = relay();
  const { channelId } = r.open('u1', SESSION, 80, 24);
  const viewer = new FakeSocket();
  const vt: ShellTicket = { sessionId: SESSION, side: 'console', userId: 'u1', channelId };
  r.socketOpened(viewer, vt);
  r.socketMessage(viewer, vt, Buffer.from(JSON.stringify({ t: 'resize', cols: 132, rows: 40 })), false);
  r.socketMessage(viewer, vt, Buffer.from('ls\r'), true);
  const customer = new FakeSocket();
  r.socketOpened(customer, { sessionId: SESSION, side: 'customer', userId: null, channelId });
  t.same(customer.text[0], { t: 'resize', cols: 132, rows: 40 });
  t.equal(customer.output(), 'ls\r');
});

t.test('another session cannot reach a shell by its id', async (t) => {
  const r = relay();
  const { channelId } = r.open('u1', SESSION, 80, 24);
  const intruder = new FakeSocket();
  r.socketOpened(intruder, { sessionId: 'T'.repeat(22), side: 'console', userId: 'u1', channelId });
  t.equal(intruder.ended, SHELL_CLOSE.unknown);
  t.throws(() => r.attach('u1', 'T'.repeat(22), channelId), { code: 'SHELL_UNKNOWN' });
});
