/**
 * ConsoleLink against a scripted fake WebSocket and a stubbed `fetch` (no
 * browser): the hello handshake, sign-out by the appliance (no reconnect),
 * reconnect with doubling waits while `/api/console/me` still answers 200,
 * and giving up with `authLost` when it answers 401. Waits are shrunk to
 * milliseconds through the constructor options.
 */
import t from 'tap';
import type { ApiError } from './api.ts';
import { ConsoleLink, type LinkEvents, type LinkState } from './console-link.ts';

class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  readonly sent: unknown[] = [];
  private readonly listeners = new Map<string, Array<(ev: any) => void>>();
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
    setTimeout(() => {
      // Like a real WebSocket: one closed while connecting never opens.
      if (this.readyState === FakeSocket.CLOSED) return;
      this.readyState = FakeSocket.OPEN;
      this.emit('open', {});
    }, 1);
  }
  addEventListener(type: string, fn: (ev: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000): void {
    this.serverClose(code, '');
  }
  /** What the appliance does. */
  serverSend(msg: object): void {
    this.emit('message', { data: JSON.stringify(msg) });
  }
  serverClose(code: number, reason: string): void {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.emit('close', { code, reason });
  }
  private emit(type: string, ev: object): void {
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
  }
}

let meStatus = 200;
let meCalls = 0;
const globals = globalThis as any;
globals.WebSocket = FakeSocket;
globals.location = { host: 'appliance.test' };
globals.fetch = async () => {
  meCalls++;
  const body = meStatus === 200 ? { user: {}, csrf: 'c', teams: [], allowWebConsole: true } : { error: { code: 'AUTH_REQUIRED', message: '' } };
  return { ok: meStatus === 200, status: meStatus, json: async () => body };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls instead of guessing a sleep, so a loaded machine does not fail the test. */
async function until(check: () => boolean, limitMs = 2000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(2);
  }
}

function record() {
  const log: Array<{ state: LinkState; wait?: number }> = [];
  const seen = { signedOut: [] as string[], authLost: [] as ApiError[] };
  const events: LinkEvents = {
    state: (state, wait) => log.push({ state, wait }),
    signedOut: (r) => seen.signedOut.push(r),
    authLost: (e) => seen.authLost.push(e),
    failed: () => undefined,
  };
  return { log, seen, events };
}

async function online(sock: FakeSocket): Promise<void> {
  await sleep(5);
  sock.serverSend({ t: 'welcome', v: 1, user: { id: 'u', username: 'u', displayName: 'U' } });
}

t.beforeEach(() => {
  FakeSocket.all = [];
  meStatus = 200;
  meCalls = 0;
});

t.test('hello first, then online; signed_out + 4001 stops without reconnecting', async (t) => {
  const { log, seen, events } = record();
  const link = new ConsoleLink(events, { retryFirstMs: 5 });
  link.start();
  const sock = FakeSocket.all[0]!;
  t.equal(sock.url, 'wss://appliance.test/ws/console');
  await online(sock);
  t.same(sock.sent[0], { t: 'hello', v: 1 });
  t.equal(link.current, 'online');
  sock.serverSend({ t: 'signed_out', reason: 'elsewhere' });
  sock.serverClose(4001, 'elsewhere');
  await sleep(30);
  t.same(seen.signedOut, ['elsewhere']);
  t.equal(link.current, 'stopped');
  t.equal(FakeSocket.all.length, 1, 'no reconnect after a sign-out');
  t.same(log.map((e) => e.state), ['connecting', 'online', 'stopped']);
});

t.test('an unexpected close reconnects after checking /me, with doubling waits', async (t) => {
  const { log, events } = record();
  const link = new ConsoleLink(events, { retryFirstMs: 5, retryMaxMs: 20 });
  link.start();
  await online(FakeSocket.all[0]!);
  FakeSocket.all[0]!.serverClose(1006, '');
  await until(() => FakeSocket.all.length === 2);
  t.equal(meCalls, 1, 'asked whether still signed in before reconnecting');
  // Fails again before the welcome: the next wait doubles.
  FakeSocket.all[1]!.serverClose(1006, '');
  await until(() => FakeSocket.all.length === 3);
  FakeSocket.all[2]!.serverClose(1006, '');
  await until(() => FakeSocket.all.length === 4);
  FakeSocket.all[3]!.serverClose(1006, '');
  t.same(
    log.filter((e) => e.state === 'retry').map((e) => e.wait),
    [5, 10, 20, 20],
    'waits double up to the cap',
  );
  link.stop();
  await sleep(30);
  t.equal(link.current, 'stopped');
});

t.test('401 from /me while reconnecting ends in authLost, not another attempt', async (t) => {
  const { seen, events } = record();
  const link = new ConsoleLink(events, { retryFirstMs: 5 });
  link.start();
  await online(FakeSocket.all[0]!);
  meStatus = 401;
  FakeSocket.all[0]!.serverClose(1006, '');
  await until(() => seen.authLost.length > 0);
  await sleep(20);
  t.equal(seen.authLost.length, 1);
  t.equal(seen.authLost[0]!.code, 'AUTH_REQUIRED');
  t.equal(FakeSocket.all.length, 1, 'no new socket');
  t.equal(link.current, 'stopped');
});
