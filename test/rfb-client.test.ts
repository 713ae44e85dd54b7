// The RFB client against a real x11vnc serving a real Xvfb (handshake with
// None and VNC Authentication, the framebuffer pixel for pixel against xwd),
// and against a hostile fake server in this file (it tests our parser):
// oversized rectangles, encodings never asked for, truncated messages,
// absurd sizes and strings all end in a coded error, never a crash or hang.
import { createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import { AppError } from '../common/errors.ts';
import { captureBgrx, startX11vnc, vncUnavailable } from './helpers/vnc.ts';
import { showPicture } from './helpers/x-picture.ts';
import { startXvfb, until } from './helpers/xvfb.ts';
import { RfbClient, vncAuthResponse } from '../appliance/src/relay/rfb-client.ts';

/** Framebuffers differ from a capture only in the X byte (unused). */
function sameBgr(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) return false;
  return true;
}

/** An RGBA picture no encoder could fake: every pixel depends on its position. */
function pattern(w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      out[o] = (x * 7 + seed) & 0xff;
      out[o + 1] = (y * 13 + x * seed) & 0xff;
      out[o + 2] = (x ^ y ^ seed) & 0xff;
      out[o + 3] = 255;
    }
  return out;
}

function fullUpdate(client: RfbClient, incremental: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    client.onUpdate = () => resolve();
    client.onClose = (err) => reject(err ?? new Error('closed'));
    client.requestUpdate(incremental);
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof AppError ? err.code : `not coded: ${(err as Error).message}`;
  }
}

const skip = vncUnavailable();

t.test('against a real x11vnc on Xvfb', { skip }, async (t) => {
  const xs = await startXvfb(640, 400);
  t.teardown(() => xs.stop());
  xs.run('xsetroot', ['-solid', '#3366aa']);
  const removePicture = await showPicture(xs.display, pattern(200, 150, 3), 200, 150, 40, 30);
  t.teardown(removePicture);
  const open = await startX11vnc(xs.display);
  t.teardown(() => open.stop());
  const locked = await startX11vnc(xs.display, { password: 'secret12' });
  t.teardown(() => locked.stop());

  await t.test('security None: a full update equals the display pixel for pixel', async (t) => {
    const c = await RfbClient.connect({ host: '127.0.0.1', port: open.port });
    t.teardown(() => c.close());
    t.same([c.width, c.height], [640, 400]);
    await fullUpdate(c, false);
    const cap = captureBgrx(xs.display);
    t.ok(sameBgr(c.framebuffer, cap.bgrx), 'framebuffer equals the xwd capture');
    t.same([...c.framebuffer.subarray(0, 3)], [0xaa, 0x66, 0x33], 'the root colour arrives as BGRX');

    // A change on the display comes in the incremental updates that follow.
    const remove2 = await showPicture(xs.display, pattern(120, 90, 77), 120, 90, 400, 200);
    t.teardown(remove2);
    const want = captureBgrx(xs.display).bgrx;
    await until(async () => {
      await fullUpdate(c, true);
      return sameBgr(c.framebuffer, want);
    }, 'the incremental updates to show the new picture');
    t.pass('incremental updates brought the framebuffer to the new display');
  });

  await t.test('VNC Authentication: the right password logs in, a wrong or missing one is refused with a code', async (t) => {
    const c = await RfbClient.connect({ host: '127.0.0.1', port: locked.port, password: 'secret12' });
    await fullUpdate(c, false);
    t.ok(sameBgr(c.framebuffer, captureBgrx(xs.display).bgrx), 'framebuffer equals the capture after VNC auth');
    c.close();
    t.equal(await codeOf(RfbClient.connect({ host: '127.0.0.1', port: locked.port })), 'VNC_PASSWORD_NEEDED');
    t.equal(await codeOf(RfbClient.connect({ host: '127.0.0.1', port: locked.port, password: 'wrong-pw' })), 'VNC_AUTH_FAILED');
  });

  await t.test('input reaches the display: a key typed into an xterm', async (t) => {
    const file = `/tmp/relaydesk-rfb-${process.pid}`;
    t.teardown(() => void import('node:fs').then((fs) => fs.rmSync(file, { force: true })));
    xs.spawnOn('xterm', ['-geometry', '60x10+0+0', '-e', `bash -c 'read line; echo "$line" > ${file}'`]);
    const c = await RfbClient.connect({ host: '127.0.0.1', port: open.port });
    t.teardown(() => c.close());
    await until(() => xs.run('xdotool', ['search', '--class', 'xterm']).trim(), 'the xterm window', 10_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    c.pointer(100, 60, 1);
    c.pointer(100, 60, 0);
    for (const ch of 'vnc-ok') {
      c.key(ch.charCodeAt(0), true);
      c.key(ch.charCodeAt(0), false);
    }
    c.key(0xff0d, true);
    c.key(0xff0d, false);
    const fs = await import('node:fs');
    const got = await until(() => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''), 'the xterm to write the line');
    t.equal(got.trim(), 'vnc-ok');
  });
});

// ---- a hostile server ------------------------------------------------------

interface Fake {
  port: number;
  server: Server;
  sockets: Socket[];
}

/** An RFB 3.8 server with security None that sends `init` as ServerInit and then whatever `after` writes. */
function fakeServer(opts: { width?: number; height?: number; name?: string; raw?: (s: Socket) => void; after?: (s: Socket) => void }): Promise<Fake> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    if (opts.raw) return opts.raw(s);
    s.write('RFB 003.008\n');
    let stage = 0;
    let got = Buffer.alloc(0);
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (stage === 0 && got.length >= 12) {
        got = got.subarray(12);
        stage = 1;
        s.write(Buffer.from([1, 1]));
      }
      if (stage === 1 && got.length >= 1) {
        got = got.subarray(1);
        stage = 2;
        s.write(Buffer.from([0, 0, 0, 0]));
      }
      if (stage === 2 && got.length >= 1) {
        got = got.subarray(1);
        stage = 3;
        const name = Buffer.from(opts.name ?? 'fake');
        const init = Buffer.alloc(24);
        init.writeUInt16BE(opts.width ?? 16, 0);
        init.writeUInt16BE(opts.height ?? 8, 2);
        init.writeUInt32BE(name.length, 20);
        s.write(Buffer.concat([init, name]));
        opts.after?.(s);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server, sockets })));
}

function close(f: Fake): Promise<void> {
  for (const s of f.sockets) s.destroy();
  return new Promise((r) => f.server.close(() => r()));
}

function rectHeader(x: number, y: number, w: number, h: number, enc: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(x, 0);
  b.writeUInt16BE(y, 2);
  b.writeUInt16BE(w, 4);
  b.writeUInt16BE(h, 6);
  b.writeInt32BE(enc, 8);
  return b;
}

function updateHeader(rects: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(rects, 2);
  return b;
}

/** Connects and resolves with the code the connection ended with. */
async function endCode(f: Fake, messageTimeoutMs = 30_000): Promise<string> {
  let c: RfbClient;
  try {
    c = await RfbClient.connect({ host: '127.0.0.1', port: f.port, messageTimeoutMs, handshakeTimeoutMs: 2000 });
  } catch (err) {
    return err instanceof AppError ? err.code : `not coded: ${(err as Error).message}`;
  }
  return new Promise((resolve) => {
    c.onClose = (err) => resolve(err?.code ?? 'closed without error');
  });
}

t.test('CopyRect is applied to the framebuffer, overlapping copies included', async (t) => {
  const w = 16;
  const h = 8;
  const raw = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) raw.writeUInt32LE(i * 0x010203, i * 4);
  const f = await fakeServer({
    width: w,
    height: h,
    after: (s) => {
      s.write(Buffer.concat([updateHeader(1), rectHeader(0, 0, w, h, 0), raw]));
      // Down-right by (2,1), overlapping its source; then a plain copy to the top-left corner.
      const copy1 = Buffer.concat([rectHeader(3, 2, 10, 5, 1), Buffer.from([0, 1, 0, 1])]);
      const copy2 = Buffer.concat([rectHeader(0, 0, 4, 2, 1), Buffer.from([0, 12, 0, 6])]);
      setTimeout(() => s.write(Buffer.concat([updateHeader(2), copy1, copy2])), 50);
    },
  });
  t.teardown(() => close(f));
  const c = await RfbClient.connect({ host: '127.0.0.1', port: f.port });
  t.teardown(() => c.close());
  await until(() => c.updates >= 2, 'two updates', 5000);
  // The model: the same copies on a plain array, through a snapshot of each source.
  const model = new Uint32Array(w * h).map((_, i) => i * 0x010203);
  const copy = (sx: number, sy: number, dx: number, dy: number, cw: number, ch: number): void => {
    const snap = model.slice();
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) model[(dy + y) * w + dx + x] = snap[(sy + y) * w + sx + x]!;
  };
  copy(1, 1, 3, 2, 10, 5);
  copy(12, 6, 0, 0, 4, 2);
  const got = new Uint32Array(c.framebuffer.buffer.slice(0));
  t.same([...got], [...model], 'framebuffer equals the model after both copies');
});

t.test('a hostile server gets a coded error, never a crash, a hang or a write outside the framebuffer', async (t) => {
  const cases: Array<[string, Parameters<typeof fakeServer>[0], string, number?]> = [
    ['a rectangle wider than the framebuffer', { after: (s) => s.write(Buffer.concat([updateHeader(1), rectHeader(10, 0, 100, 1, 0)])) }, 'VNC_PROTOCOL'],
    ['a rectangle past the bottom (16-bit wrap attempt)', { after: (s) => s.write(Buffer.concat([updateHeader(1), rectHeader(0, 0xfff0, 1, 0x20, 0)])) }, 'VNC_PROTOCOL'],
    ['a copy whose source is outside', { after: (s) => s.write(Buffer.concat([updateHeader(1), rectHeader(0, 0, 4, 4, 1), Buffer.from([0xff, 0xff, 0, 0])])) }, 'VNC_PROTOCOL'],
    ['an encoding never asked for (Tight)', { after: (s) => s.write(Buffer.concat([updateHeader(1), rectHeader(0, 0, 4, 4, 7), Buffer.alloc(64)])) }, 'VNC_PROTOCOL'],
    ['an unknown message type', { after: (s) => s.write(Buffer.from([0x7f, 0, 0, 0])) }, 'VNC_PROTOCOL'],
    ['a Raw rectangle cut short', { after: (s) => s.write(Buffer.concat([updateHeader(1), rectHeader(0, 0, 16, 8, 0), Buffer.alloc(100)])) }, 'VNC_PROTOCOL', 300],
    ['a 4 GiB clipboard', { after: (s) => s.write(Buffer.from([3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])) }, 'VNC_PROTOCOL'],
    ['a desktop resize to 60000x60000', { after: (s) => s.write(Buffer.concat([updateHeader(1), rectHeader(0, 0, 60000, 60000, -223)])) }, 'VNC_PROTOCOL'],
    ['a 65535x65535 framebuffer', { width: 65535, height: 65535 }, 'VNC_PROTOCOL'],
    ['a 0x0 framebuffer', { width: 0, height: 0 }, 'VNC_PROTOCOL'],
    ['a 1 MiB desktop name', { name: 'x'.repeat(1 << 20) }, 'VNC_PROTOCOL'],
    ['not an RFB server', { raw: (s) => s.write('SSH-2.0-OpenSSH_9.2\r\n') }, 'VNC_PROTOCOL'],
    ['RFB 4.0', { raw: (s) => s.write('RFB 004.000\n') }, 'VNC_UNSUPPORTED'],
    ['a server that says nothing', { raw: () => undefined }, 'VNC_PROTOCOL'],
    ['a server that hangs up at once', { raw: (s) => s.end() }, 'VNC_CONNECT_FAILED'],
  ];
  for (const [what, opts, code, timeout] of cases) {
    const f = await fakeServer(opts);
    t.equal(await endCode(f, timeout), code, what);
    await close(f);
  }
  // A clipboard over the limit is skipped, the connection lives on and later messages still work.
  let clip = '';
  const big = await fakeServer({
    after: (s) => {
      const n = 300 * 1024;
      const h = Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]);
      h.writeUInt32BE(n, 4);
      const small = Buffer.from([3, 0, 0, 0, 0, 0, 0, 5, 0x68, 0x65, 0x6c, 0x6c, 0xf6]);
      s.write(Buffer.concat([h, Buffer.alloc(n, 0x41), small]));
    },
  });
  const c = await RfbClient.connect({ host: '127.0.0.1', port: big.port });
  c.onClipboard = (text) => (clip = text);
  await until(() => clip, 'the small clipboard after the big one', 5000);
  t.equal(clip, 'hellö', 'Latin-1 clipboard text after a skipped oversized one');
  t.ok(c.isOpen, 'the connection is still open');
  c.close();
  await close(big);
});

t.test('ClientCutText goes out as RFB defines it: type 6, padding, length, Latin-1 bytes', async (t) => {
  let got = Buffer.alloc(0);
  const f = await fakeServer({ after: (s) => s.on('data', (d) => (got = Buffer.concat([got, d]))) });
  t.teardown(() => close(f));
  const c = await RfbClient.connect({ host: '127.0.0.1', port: f.port });
  t.teardown(() => c.close());
  await new Promise((r) => setTimeout(r, 100));
  got = Buffer.alloc(0);
  c.cutText('grüße €');
  await until(() => got.length >= 15, 'the cut text at the server', 5000);
  t.same([...got.subarray(0, 8)], [6, 0, 0, 0, 0, 0, 0, 7], 'header with the length in bytes');
  t.equal(got.subarray(8, 15).toString('latin1'), 'grüße ?', 'Latin-1, and ? for what Latin-1 cannot hold');
});

t.test('the VNC Authentication response: 16 bytes, the password counts, only its first 8 characters', async (t) => {
  // That the cipher itself is right shows in the x11vnc login above.
  const challenge = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const a = vncAuthResponse('password', challenge);
  t.equal(a.length, 16);
  t.not(a.toString('hex'), vncAuthResponse('passworx', challenge).toString('hex'), 'the password matters');
  t.equal(vncAuthResponse('password9', challenge).toString('hex'), a.toString('hex'), 'only 8 characters count');
});
