// The client's X modules against a real Xvfb: capture (MIT-SHM and core
// give the same pixels as the server holds), monitors (RandR, including
// virtual monitors), XTEST typing into a real xterm, CLIPBOARD both ways
// with xclip, and the XFIXES cursor.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXvfb, until, xvfbAvailable } from '../../../test/helpers/xvfb.ts';
import { ScreenGrabber } from './capture.ts';
import { XClipboard } from './clipboard.ts';
import { CursorWatcher } from './cursor.ts';
import { InputInjector } from './input.ts';
import { listMonitors } from './monitors.ts';
import { XConnection } from './x-display.ts';

const skip = xvfbAvailable() ? false : 'Xvfb is not installed';

t.test('X modules on a real Xvfb', { skip }, async (t) => {
  const xs = await startXvfb(800, 600);
  t.teardown(() => xs.stop());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rd-x-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  xs.run('xsetroot', ['-solid', '#3366aa']);
  const conn = await XConnection.open(xs.display);
  t.teardown(() => conn.close());

  await t.test('capture reads the root colour, SHM and core agree', async (t) => {
    const shm = new ScreenGrabber(conn);
    const px = await shm.grab({ x: 10, y: 10, width: 4, height: 2 });
    t.equal(shm.method, 'shm', 'MIT-SHM is usable on a local Xvfb');
    t.same([px[0], px[1], px[2]], [0xaa, 0x66, 0x33], 'BGRX of #3366aa');
    xs.spawnOn('xterm', ['-geometry', '40x10+20+20', '-e', 'sleep 30']);
    await until(async () => (await shm.grab({ x: 0, y: 0, width: 800, height: 600 }))[(30 * 800 + 30) * 4] !== 0xaa, 'xterm to map');
    await new Promise((r) => setTimeout(r, 300));
    const a = Buffer.from(await shm.grab({ x: 0, y: 0, width: 800, height: 600 }));
    process.env.RELAYDESK_NO_SHM = '1';
    const core = new ScreenGrabber(conn);
    const b = Buffer.from(await core.grab({ x: 0, y: 0, width: 800, height: 600 }));
    delete process.env.RELAYDESK_NO_SHM;
    t.equal(core.method, 'core');
    const rgb = (buf: Buffer): Buffer => Buffer.from(buf.filter((_, i) => i % 4 !== 3));
    t.ok(rgb(a).equals(rgb(b)), 'same pixels both ways');
    shm.dispose();
  });

  await t.test('monitors: the screen, then two virtual monitors with the primary marked', async (t) => {
    const one = await listMonitors(conn);
    t.equal(one.length, 1);
    t.match(one[0], { x: 0, y: 0, width: 800, height: 600, primary: true });
    xs.run('xrandr', ['--setmonitor', 'left', '400/100x600/100+0+0', 'none']);
    xs.run('xrandr', ['--setmonitor', 'right', '400/100x600/100+400+0', 'none']);
    const list = await listMonitors(conn);
    const right = list.find((m) => m.name === 'right');
    t.ok(right, `right monitor listed: ${JSON.stringify(list)}`);
    t.match(right, { x: 400, y: 0, width: 400, height: 600 });
    t.equal(list.filter((m) => m.primary).length, 1, 'exactly one primary');
    xs.run('xrandr', ['--delmonitor', 'left']);
    xs.run('xrandr', ['--delmonitor', 'right']);
  });

  await t.test('XTEST types a shell command into a real xterm', async (t) => {
    const file = path.join(dir, 'typed.txt');
    xs.spawnOn('xterm', ['-geometry', '60x10+300+300', '-e', 'bash --norc --noprofile -i'], { env: { PS1: '$ ' } });
    const grab = new ScreenGrabber(conn);
    await until(async () => (await grab.grab({ x: 320, y: 320, width: 1, height: 1 }))[0] !== 0xaa, 'second xterm');
    await new Promise((r) => setTimeout(r, 500));
    const input = new InputInjector(conn, () => ({ x: 0, y: 0 }));
    await input.init();
    await input.handle({ t: 'pointer', x: 400, y: 350, buttons: 0 });
    const text = `echo Typed_Via_XTEST > ${file}`;
    for (const ch of text) {
      const keysym = ch.codePointAt(0)!;
      await input.handle({ t: 'key', keysym, down: true });
      await input.handle({ t: 'key', keysym, down: false });
    }
    await input.handle({ t: 'key', keysym: 0xff0d, down: true });
    await input.handle({ t: 'key', keysym: 0xff0d, down: false });
    await until(() => existsSync(file) && readFileSync(file, 'utf8') === 'Typed_Via_XTEST\n', 'typed file');
    t.equal(readFileSync(file, 'utf8'), 'Typed_Via_XTEST\n', 'upper case (Shift) and > came through');
    grab.dispose();
  });

  await t.test('clipboard both ways with xclip', async (t) => {
    const clip = new XClipboard(conn);
    await clip.init();
    t.teardown(() => clip.dispose());
    const seen: string[] = [];
    await clip.watch((text) => seen.push(text));
    xs.run('sh', ['-c', "printf 'from xclip ü' | xclip -selection clipboard -i >/dev/null 2>&1"]);
    const got = await until(async () => {
      const s = await clip.read();
      return s === 'from xclip ü' ? s : '';
    }, 'clipboard from xclip');
    t.equal(got, 'from xclip ü');
    await until(() => seen.includes('from xclip ü'), 'watch event');
    clip.write('to the customer ß');
    await conn.sync();
    t.equal(await xs.runAsync('xclip', ['-o', '-selection', 'clipboard']), 'to the customer ß');
  });

  await t.test('cursor position and shape', async (t) => {
    const cursor = new CursorWatcher(conn);
    const first = await cursor.sample();
    t.ok(first?.shape, 'shape on the first sample');
    t.equal(first!.shape!.rgba.length, first!.shape!.width * first!.shape!.height * 4);
    const second = await cursor.sample();
    t.equal(second?.shape, undefined, 'no shape while it did not change');
  });
});

t.test('privacy screen: the X screen is black, the composed frame shows the desktop, XTEST still types, the local combination ends it', { skip }, async (t) => {
  const xs = await startXvfb(640, 480);
  t.teardown(() => xs.stop());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rd-priv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  xs.run('xsetroot', ['-solid', '#3366aa']);
  const conn = await XConnection.open(xs.display);
  t.teardown(() => conn.close());
  const grabber = new ScreenGrabber(conn);
  xs.spawnOn('xterm', ['-geometry', '50x8+40+40', '-e', 'bash --norc --noprofile -i'], { env: { PS1: '$ ' } });
  const whole = { id: 0, name: 'screen', x: 0, y: 0, width: 640, height: 480, primary: true };
  await until(async () => (await grabber.grab({ x: 60, y: 60, width: 1, height: 1 }))[0] !== 0xaa, 'xterm');
  await new Promise((r) => setTimeout(r, 400));
  const before = Buffer.from(await grabber.grab(whole));
  const privacy = new (await import('./privacy.ts')).PrivacyScreen(conn, grabber);
  await privacy.enable();
  t.teardown(() => privacy.disable());
  // A separate X client (xwd) sees the screen as the person at it does.
  const xwd = async (): Promise<Buffer> => {
    const out = await new Promise<Buffer>((resolve, reject) => {
      import('node:child_process').then(({ execFile }) =>
        execFile('xwd', ['-root', '-silent', '-display', xs.display], { encoding: 'buffer', maxBuffer: 1 << 24 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
    });
    const headerSize = out.readUInt32BE(0);
    const ncolors = out.readUInt32BE(76);
    return out.subarray(headerSize + ncolors * 12);
  };
  const direct = await xwd();
  const lit = (buf: Uint8Array, x0: number, y0: number, x1: number, y1: number): number => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (buf[(y * 640 + x) * 4]! | buf[(y * 640 + x) * 4 + 1]! | buf[(y * 640 + x) * 4 + 2]!) n++;
    return n;
  };
  t.equal(lit(direct, 0, 100, 640, 480), 0, 'the screen below the notice text is black for a direct capture');
  const composed = Buffer.from(await privacy.grab(whole));
  const rgb = (buf: Buffer): Buffer => Buffer.from(buf.filter((_, i) => i % 4 !== 3));
  t.ok(rgb(composed).equals(rgb(before)), 'the composed frame equals the desktop before the privacy screen');

  const file = path.join(dir, 'private.txt');
  const input = new InputInjector(conn, () => ({ x: 0, y: 0 }));
  await input.init();
  input.gate = (inject) => privacy.inject(inject);
  await input.handle({ t: 'pointer', x: 100, y: 80, buttons: 0 });
  for (const ch of `echo hidden > ${file}\r`) {
    const keysym = ch === '\r' ? 0xff0d : ch.codePointAt(0)!;
    await input.handle({ t: 'key', keysym, down: true });
    await input.handle({ t: 'key', keysym, down: false });
  }
  await until(() => existsSync(file), 'file typed behind the privacy screen');
  t.equal(readFileSync(file, 'utf8'), 'hidden\n', 'the rep types behind the privacy screen');
  const after = Buffer.from(await privacy.grab(whole));
  t.notOk(rgb(after).equals(rgb(before)), 'the composed frame shows what was typed');

  let released = false;
  privacy.onLocalRelease = () => (released = true);
  await xs.runAsync('xdotool', ['key', 'ctrl+alt+shift+p']);
  await until(() => released, 'local release combination');
  t.notOk(privacy.active, 'privacy screen ended by the key combination');
  const back = await xwd();
  t.ok(lit(back, 0, 100, 640, 480) > 1000, 'the desktop is visible again');
});
