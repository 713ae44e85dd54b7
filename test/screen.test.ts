/**
 * Screen sharing end to end without a browser: a real Xvfb with a real
 * desktop picture and an xterm as the customer's desktop, the real
 * appliance, the real customer client (downloaded, run with DISPLAY set),
 * and reps on raw channel sockets that decode with the real media core.
 * Covers: the picture matches a direct X capture exactly in full colour;
 * control typed into the xterm; black and white costs fewer bytes; the
 * privacy screen blanks the X display but not the rep's picture; clipboard
 * both ways; a view-only rep's hand-crafted input goes nowhere; events.
 * Needs `node scripts/build.mjs` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ScreenGrabber } from '../client/src/screen/capture.ts';
import { XConnection } from '../client/src/screen/x-display.ts';
import { corpusAvailable, loadFrame } from '../wasm/test-support/corpus.ts';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient } from './helpers/customer.ts';
import { adminAgent } from './helpers/rep.ts';
import { difference, ScreenViewer } from './helpers/screen-viewer.ts';
import { crop, showPicture } from './helpers/x-picture.ts';
import { startXvfb, until, xvfbAvailable } from './helpers/xvfb.ts';

const W = 1024;
const H = 768;

if (!xvfbAvailable()) {
  t.plan(0, 'Xvfb is not installed');
} else {
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-screen-test-'));
  const xs = await startXvfb(W, H);
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  const app = await startAppliance({ dataDir });
  t.teardown(async () => {
    await app.stop();
    await xs.stop();
    rmSync(work, { recursive: true, force: true });
  });

  // The customer's desktop: a real desktop frame as the picture, an xterm with a shell on top.
  xs.run('xsetroot', ['-solid', '#3366aa']);
  let removePicture = (): void => undefined;
  if (corpusAvailable()) {
    const f = loadFrame('desktop-drag', 0);
    removePicture = await showPicture(xs.display, crop(f.data, f.width, 0, 0, W, H), W, H);
  }
  t.teardown(() => removePicture());
  xs.spawnOn('xterm', ['-geometry', '70x12+40+40', '-e', 'bash --norc --noprofile -i'], { env: { PS1: '$ ' } });
  const xconn = await XConnection.open(xs.display);
  t.teardown(() => xconn.close());
  const grabber = new ScreenGrabber(xconn);
  const whole = { x: 0, y: 0, width: W, height: H };
  const xtermShown = async (): Promise<boolean> => {
    const px = await grabber.grab({ x: 60, y: 60, width: 1, height: 1 });
    return px[0] === 255 && px[1] === 255 && px[2] === 255;
  };
  await until(xtermShown, 'the xterm on the display');
  await new Promise((r) => setTimeout(r, 500));

  const admin = await adminAgent(app);
  const alice = await consoleRep(app, 'alice');
  const bob = await consoleRep(app, 'bob');
  const cookieOf = (rep: typeof alice): string => `__Host-rd_console=${rep.agent.cookies.get('__Host-rd_console')}`;
  const grant = (screen: string, privacyScreen: boolean) => ({ screen, privacyScreen, specialActions: false, shell: false, fileTransfer: 'none', allowedPaths: [] });
  for (const [id, g] of [[alice.id, grant('control', true)], [bob.id, grant('view', false)]] as const) {
    const r = await admin.put(`/api/admin/users/${id}/permissions`, g);
    if (r.status !== 200) throw new Error(r.text);
  }

  const key = await alice.sessionKey();
  const dl = await download(app, '/download/relaydesk-client.mjs', work);
  const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Cora', '--keep', '--allow-all', '--verbose'], { env: { DISPLAY: xs.display } });
  t.teardown(async () => {
    await client.kill();
    if (!t.passing()) t.comment(`client output:\n${client.output()}`);
  });
  const session = (await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Cora', 15_000)).session;
  await alice.request({ t: 'accept', sessionId: session.id });
  // Bob becomes a member too: alice hands the session to him, he accepts, she stays.
  await alice.request({ t: 'transfer', sessionId: session.id, to: `rep:${bob.id}` });
  await bob.socket.next((m) => m.t === 'session' && m.session.id === session.id && m.session.state === 'waiting', 10_000);
  const accepted = await bob.request({ t: 'accept', sessionId: session.id });
  if (accepted.t !== 'ack') throw new Error(JSON.stringify(accepted));

  const rgbEqual = (a: Uint8ClampedArray | Uint8Array, bgrx: Uint8Array): boolean => {
    for (let i = 0; i < a.length; i += 4) if (a[i] !== bgrx[i + 2] || a[i + 1] !== bgrx[i + 1] || a[i + 2] !== bgrx[i]) return false;
    return true;
  };
  const open = async (rep: typeof alice): Promise<ScreenViewer> => {
    const answer = await rep.request({ t: 'screen_open', sessionId: session.id });
    if (answer.t !== 'channel_ticket') throw new Error(JSON.stringify(answer));
    return ScreenViewer.open(app, answer.ticket, cookieOf(rep));
  };
  const xwdBlackBelow = async (y0: number): Promise<number> => {
    const out = await new Promise<Buffer>((resolve, reject) =>
      execFile('xwd', ['-root', '-silent', '-display', xs.display], { encoding: 'buffer', maxBuffer: 1 << 25 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const px = out.subarray(out.readUInt32BE(0) + out.readUInt32BE(76) * 12);
    let lit = 0;
    for (let i = y0 * W * 4; i < W * H * 4; i += 4) if (px[i]! | px[i + 1]! | px[i + 2]!) lit++;
    return lit;
  };

  const viewA = await open(alice);
  t.teardown(() => viewA.close());

  t.test('the rep sees exactly what the X server holds (full colour)', async (t) => {
    await viewA.until(() => viewA.lastText('status')?.state === 'viewing', 'viewing');
    await viewA.until(() => viewA.frames.length > 0, 'a first frame');
    t.ok(viewA.frames[0]!.key, 'the first frame is a key frame');
    t.match(viewA.info, { width: W, height: H, mode: 'full-colour', capture: 'shm' });
    t.equal(viewA.info.monitors.filter((m: any) => m.primary).length, 1, 'one primary monitor');
    let same = false;
    for (let i = 0; i < 100 && !same; i++) {
      const direct = await grabber.grab(whole);
      same = rgbEqual(viewA.pixels(), direct);
      if (!same) await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(same, 'decoded picture equals a direct GetImage of the root, pixel for pixel');
    const events = (await alice.request({ t: 'open_session', sessionId: session.id })).events.map((e: any) => `${e.kind}:${e.actor}`);
    t.ok(events.includes('screen_view_allowed:Cora'), 'the customer allowing viewing is logged');
    t.ok(events.includes('screen_view_started:Alice'));
  });

  t.test('a view-only rep watches the same stream and cannot inject input, even hand-crafted', async (t) => {
    const viewB = await open(bob);
    t.teardown(() => viewB.close());
    await viewB.until(() => viewB.frames.length > 0, 'bob gets frames');
    t.ok(viewB.frames[0]!.key, 'a joining viewer starts with a key frame');
    const file = path.join(work, 'bob-was-here');
    viewB.send({ t: 'control', on: true });
    await viewB.until(() => viewB.lastText('error') !== undefined, 'refusal of control');
    t.equal(viewB.lastText('error').code, 'SCREEN_NO_PERMISSION', 'a view-only rep may not request control');
    viewB.send({ t: 'pointer', x: 100, y: 60, buttons: 1 });
    viewB.send({ t: 'pointer', x: 100, y: 60, buttons: 0 });
    viewB.send({ t: 'clipboard', text: 'from bob' });
    viewB.send({ t: 'privacy', on: true });
    for (const ch of `echo bob > ${file}`) viewB.send({ t: 'key', keysym: ch.codePointAt(0), down: true });
    viewB.send({ t: 'key', keysym: 0xff0d, down: true });
    // Fifty refused messages and the relay hangs up on the sender.
    t.equal(await viewB.closed, 1008, 'a viewer that keeps sending input is disconnected');
    const codes = viewB.texts.filter((m) => m.t === 'error').map((m) => m.code);
    t.equal(codes.filter((c) => c === 'SCREEN_NO_CONTROL').length, 49, 'every input message was refused for lack of control');
    await new Promise((r) => setTimeout(r, 1000));
    t.notOk(existsSync(file), 'nothing was typed on the customer\'s computer');
  });

  t.test('the rep holding control types into the xterm', async (t) => {
    viewA.send({ t: 'control', on: true });
    await viewA.until(() => viewA.lastText('control')?.state === 'granted', 'control granted');
    t.match(viewA.lastText('control'), { holder: 'Alice', mine: true });
    const file = path.join(work, 'typed.txt');
    viewA.send({ t: 'pointer', x: 200, y: 80, buttons: 0 });
    viewA.send({ t: 'pointer', x: 200, y: 80, buttons: 1 });
    viewA.send({ t: 'pointer', x: 200, y: 80, buttons: 0 });
    for (const ch of `echo typed-through-relay > ${file}`) {
      viewA.send({ t: 'key', keysym: ch.codePointAt(0), down: true });
      viewA.send({ t: 'key', keysym: ch.codePointAt(0), down: false });
    }
    viewA.send({ t: 'key', keysym: 0xff0d, down: true });
    viewA.send({ t: 'key', keysym: 0xff0d, down: false });
    await until(() => existsSync(file) && readFileSync(file, 'utf8').length > 0, 'typed file');
    t.equal(readFileSync(file, 'utf8'), 'typed-through-relay\n');
    const events = (await alice.request({ t: 'open_session', sessionId: session.id })).events.map((e: any) => `${e.kind}:${e.actor}`);
    t.ok(events.includes('screen_control_allowed:Cora'), 'the customer allowing control is logged');
  });

  t.test('clipboard both ways while sync is on', async (t) => {
    viewA.send({ t: 'clipboard_sync', on: true });
    await new Promise((r) => setTimeout(r, 300));
    xs.run('sh', ['-c', "printf 'copied on the customer side' | xclip -selection clipboard -i >/dev/null 2>&1"]);
    await viewA.until(() => viewA.lastText('clipboard')?.text === 'copied on the customer side', 'clipboard to the rep');
    viewA.send({ t: 'clipboard', text: 'pasted by the rep ✓' });
    const got = await until(async () => {
      const s = await xs.runAsync('xclip', ['-o', '-selection', 'clipboard']).catch(() => '');
      return s === 'pasted by the rep ✓' ? s : '';
    }, 'clipboard on the customer side');
    t.equal(got, 'pasted by the rep ✓');
  });

  t.test('black and white costs fewer bytes per frame than full colour', async (t) => {
    const keyBytes = async (): Promise<number> => {
      const n = viewA.frames.length;
      viewA.send({ t: 'refresh' });
      await viewA.until(() => viewA.frames.slice(n).some((f) => f.key), 'a key frame');
      return viewA.frames.slice(n).find((f) => f.key)!.bytes;
    };
    const full = await keyBytes();
    viewA.send({ t: 'mode', mode: 'black-and-white' });
    await viewA.until(() => viewA.info.mode === 'black-and-white', 'mode switched');
    const bw = await keyBytes();
    t.ok(bw < full, `black and white ${bw} B < full colour ${full} B per key frame`);
    const px = viewA.pixels();
    let grey = true;
    for (let i = 0; i < px.length && grey; i += 4) grey = (px[i] === 0 || px[i] === 255) && px[i] === px[i + 1] && px[i] === px[i + 2];
    t.ok(grey, 'the picture is only black and white');
    viewA.send({ t: 'mode', mode: 'full-colour' });
    await viewA.until(() => viewA.info.mode === 'full-colour', 'back to full colour');
  });

  t.test('monitor choice: the rep switches to the right-hand monitor and sees exactly that part', async (t) => {
    const original = viewA.info.monitor;
    xs.run('xrandr', ['--setmonitor', 'left', '512/100x768/100+0+0', 'none']);
    xs.run('xrandr', ['--setmonitor', 'right', '512/100x768/100+512+0', 'none']);
    t.teardown(() => {
      xs.run('xrandr', ['--delmonitor', 'left']);
      xs.run('xrandr', ['--delmonitor', 'right']);
    });
    viewA.send({ t: 'monitor', id: viewA.info.monitor }); // the same monitor again: the list is read anew
    await viewA.until(() => viewA.info.monitors.some((m: any) => m.name === 'right'), 'the new monitor list');
    t.equal(viewA.info.monitors.filter((m: any) => m.primary).length, 1, 'one monitor is marked primary');
    const right = viewA.info.monitors.find((m: any) => m.name === 'right');
    viewA.send({ t: 'monitor', id: right.id });
    await viewA.until(() => viewA.info.monitor === right.id && viewA.info.width === 512, 'switched to the right monitor');
    let same = false;
    for (let i = 0; i < 50 && !same; i++) {
      await viewA.until(() => viewA.decoder?.width === 512, 'a decoder of the monitor size');
      same = viewA.frames.length > 0 && rgbEqual(viewA.pixels(), await grabber.grab({ x: 512, y: 0, width: 512, height: H }));
      if (!same) await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(same, 'the picture is the right half of the screen, pixel for pixel');
    viewA.send({ t: 'monitor', id: original });
    await viewA.until(() => viewA.info.monitor === original && viewA.info.width === W, 'back to the whole screen');
    let whole = false;
    for (let i = 0; i < 50 && !whole; i++) {
      whole = viewA.decoder?.width === W && rgbEqual(viewA.pixels(), await grabber.grab({ x: 0, y: 0, width: W, height: H }));
      if (!whole) await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(whole, 'the whole screen again');
  });

  t.test('privacy screen: the display goes black, the rep still sees the desktop', async (t) => {
    const before = Buffer.from(await grabber.grab(whole));
    t.ok((await xwdBlackBelow(120)) > 1000, 'the display shows the desktop before');
    viewA.send({ t: 'privacy', on: true });
    await viewA.until(() => viewA.lastText('privacy')?.on === true, 'privacy on');
    await until(async () => (await xwdBlackBelow(120)) === 0, 'the display to go black', 5000);
    t.equal(await xwdBlackBelow(120), 0, 'a direct X capture is black below the notice');
    const n = viewA.frames.length;
    viewA.send({ t: 'refresh' });
    await viewA.until(() => viewA.frames.length > n, 'a frame during privacy');
    // The xterm draws its cursor hollow while the privacy grab holds the keyboard: that one cell may differ.
    const diff = difference(viewA.pixels(), before, W);
    t.ok(diff.count <= 100, `the rep's picture is still the desktop (${diff.count} px differ, in ${JSON.stringify(diff.box)})`);
    viewA.send({ t: 'privacy', on: false });
    await viewA.until(() => viewA.lastText('privacy')?.on === false, 'privacy off');
    await until(async () => (await xwdBlackBelow(120)) > 1000, 'the desktop back on the display');
    const events = (await alice.request({ t: 'open_session', sessionId: session.id })).events.map((e: any) => `${e.kind}:${e.actor}`);
    t.ok(events.includes('screen_privacy_on:Alice') && events.includes('screen_privacy_off:Alice'));
  });

  t.test('releasing control and stopping are logged; the client stops capturing', async (t) => {
    viewA.send({ t: 'control', on: false });
    await viewA.until(() => viewA.lastText('control')?.state === 'none', 'control released');
    viewA.close();
    await viewA.closed;
    await client.waitFor(/Screen sharing ended/, 10_000);
    const events = (await alice.request({ t: 'open_session', sessionId: session.id })).events.map((e: any) => `${e.kind}:${e.actor}`);
    t.ok(events.includes('screen_control_released:Alice'));
    t.ok(events.includes('screen_view_stopped:Alice'));
  });
}
