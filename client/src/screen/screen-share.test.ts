// The client's screen channels against a stand-in appliance (a plain local
// WebSocket server) and a real Xvfb: the consent answer comes first, credits
// start the stream, and input is obeyed only on a channel opened with the
// control role — the same pointer message on the view channel is ignored.
import t from 'tap';
import { WebSocketServer, WebSocket } from 'ws';
import { loadCore } from '../../../wasm/test-support/ensure-built.ts';
import { startXvfb, until, xvfbAvailable } from '../../../test/helpers/xvfb.ts';
import { ScreenShare } from './screen-share.ts';
import { XConnection } from './x-display.ts';

const skip = xvfbAvailable() ? false : 'Xvfb is not installed';

t.test('view and control channels', { skip }, async (t) => {
  const xs = await startXvfb(640, 480);
  t.teardown(() => xs.stop());
  const conn = await XConnection.open(xs.display);
  t.teardown(() => conn.close());
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  await new Promise((r) => server.once('listening', r));
  const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  const debug: string[] = [];
  let allow = true;
  const share = new ScreenShare({ decide: async () => allow, say: () => undefined, debug: (s) => void debug.push(s), loadCore, display: xs.display });
  t.teardown(() => share.dispose());

  /** Opens a channel of `role` through the client; returns the server's end and what it received. */
  const open = async (role: string): Promise<{ ws: WebSocket; texts: any[]; binary: Buffer[] }> => {
    const accepted = new Promise<WebSocket>((r) => server.once('connection', r));
    share.handle({ channelId: 'c1', params: { role, rep: 'Alice' }, connect: () => new WebSocket(url) });
    const ws = await accepted;
    const got = { ws, texts: [] as any[], binary: [] as Buffer[] };
    ws.on('message', (d: Buffer, isBinary) => (isBinary ? got.binary.push(d) : got.texts.push(JSON.parse(d.toString()))));
    return got;
  };
  const pointer = async (): Promise<{ x: number; y: number }> => {
    const p = await conn.call<{ rootX: number; rootY: number }>((cb) => conn.X.QueryPointer(conn.root, cb));
    return { x: p.rootX, y: p.rootY };
  };

  const view = await open('view');
  await until(() => view.texts.some((m) => m.t === 'info'), 'info');
  t.same(view.texts[0], { t: 'hello', allowed: true }, 'the consent answer comes first');
  t.match(view.texts[1], { t: 'info', width: 640, height: 480, mode: 'full-colour' });
  t.equal(view.binary.filter((b) => b[0] === 1).length, 0, 'no frame without a credit');
  view.ws.send(JSON.stringify({ t: 'credit', n: 1 }));
  await until(() => view.binary.some((b) => b[0] === 1 && (b[1]! & 2)), 'a frame after the credit');
  t.equal(view.binary.find((b) => b[0] === 1)![1]! & 1, 1, 'the first frame is a key frame');

  const start = await pointer();
  view.ws.send(JSON.stringify({ t: 'pointer', x: 321, y: 123, buttons: 0 }));
  await until(() => debug.some((d) => /view-channel message/.test(d)), 'the refusal');
  t.same(await pointer(), start, 'input on the view channel is ignored');

  const control = await open('control');
  await until(() => control.texts.length > 0, 'hello');
  t.same(control.texts[0], { t: 'hello', allowed: true });
  control.ws.send(JSON.stringify({ t: 'pointer', x: 321, y: 123, buttons: 0 }));
  await until(async () => (await pointer()).x === 321, 'the pointer to move');
  t.same(await pointer(), { x: 321, y: 123 }, 'input on the control channel is injected');
  control.ws.send(Buffer.from([1, 2, 3]));
  control.ws.send(JSON.stringify({ t: 'pointer', x: 'far', y: 0, buttons: 0 }));
  await until(() => debug.filter((d) => /control.channel/.test(d)).length >= 2, 'refusals');
  t.pass('binary and malformed control messages are refused');

  allow = false;
  const refused = await open('control');
  const closed = new Promise((r) => refused.ws.once('close', r));
  await until(() => refused.texts.length > 0, 'hello');
  t.same(refused.texts[0], { t: 'hello', allowed: false }, 'a refusal is answered and the channel closed');
  await closed;
  view.ws.close();
  control.ws.close();
});
