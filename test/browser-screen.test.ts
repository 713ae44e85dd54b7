/**
 * Screen sharing as a rep does it, in Chromium: a real Xvfb (a real desktop
 * picture and an xterm) is the customer's desktop, the real customer client
 * shares it, the rep starts sharing in the session view and the canvas,
 * drawn by the same media core, matches a direct X capture pixel for pixel
 * in full colour; the rep takes control, clicks into the xterm and types a
 * command that writes a file; black and white costs fewer bytes per key
 * frame; the privacy screen blanks the display (xwd) while the canvas still
 * shows the desktop; clipboard text crosses both ways.
 * Needs `node scripts/build.mjs` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { ScreenGrabber } from '../client/src/screen/capture.ts';
import { XConnection } from '../client/src/screen/x-display.ts';
import { corpusAvailable, loadFrame } from '../wasm/test-support/corpus.ts';
import { startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { download, runClient } from './helpers/customer.ts';
import { adminAgent, createUser } from './helpers/rep.ts';
import { crop, showPicture } from './helpers/x-picture.ts';
import { startXvfb, until, xvfbAvailable } from './helpers/xvfb.ts';

const W = 1024;
const H = 768;

// Runs in the page: the canvas's pixels as base64 RGBA.
const READ_CANVAS = `(() => {
  const c = document.querySelector('.session-view:not([hidden]) [data-testid="screen-canvas"]');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let s = '';
  for (let i = 0; i < px.length; i += 0x8000) s += String.fromCharCode(...px.subarray(i, i + 0x8000));
  return { width: c.width, height: c.height, data: btoa(s) };
})()`;

if (!xvfbAvailable()) {
  t.plan(0, 'Xvfb is not installed');
} else {
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-browser-screen-'));
  const xs = await startXvfb(W, H);
  const app = await startAppliance();
  t.teardown(async () => {
    await app.stop();
    await xs.stop();
    rmSync(work, { recursive: true, force: true });
  });
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
  await until(async () => {
    const px = await grabber.grab({ x: 60, y: 60, width: 1, height: 1 });
    return px[0] === 255 && px[1] === 255 && px[2] === 255;
  }, 'the xterm on the display');
  await new Promise((r) => setTimeout(r, 500));

  const admin = await adminAgent(app);
  const aliceId = await createUser(admin, 'alice');
  const r = await admin.put(`/api/admin/users/${aliceId}/permissions`, { screen: 'control', privacyScreen: true, specialActions: false, shell: false, fileTransfer: 'none', allowedPaths: [] });
  if (r.status !== 200) throw new Error(r.text);

  const chromium = await launchTrusting(app.caPem);
  t.teardown(() => chromium.close());
  const context = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page: Page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => /Content[- ]Security[- ]Policy/i.test(m.text()) && cspViolations.push(m.text()));
  await page.goto(`${app.origin}/console`);
  await page.fill('#login-username', 'alice');
  await page.fill('#login-password', 'alice-password');
  await page.click('#login-submit');
  await page.locator('#link-state[data-state="online"]').waitFor();

  await page.click('#start-session');
  await page.click('#key-generate');
  await page.locator('#key-short').waitFor();
  const key = (await page.textContent('#key-short'))!;
  await page.keyboard.press('Escape');
  const build = await download(app, '/download/relaydesk-client.mjs', work);
  const client = runClient(build.file, ['--key', key, '--name', 'Cora', '--keep', '--allow-all'], { env: { DISPLAY: xs.display } });
  t.teardown(() => client.kill());
  const popup = page.locator('.popup', { hasText: 'Cora' });
  await popup.waitFor({ timeout: 20_000 });
  await popup.locator('[data-action="show"]').click();
  await page.click('#accept-session');
  const view = page.locator('.session-view:not([hidden])');
  const canvas = view.locator('[data-testid="screen-canvas"]');

  const canvasPixels = async (): Promise<Buffer> => Buffer.from(((await page.evaluate(READ_CANVAS)) as { data: string }).data, 'base64');
  const sameAsDisplay = (rgba: Buffer, bgrx: Uint8Array): number => {
    let differ = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== bgrx[i + 2] || rgba[i + 1] !== bgrx[i + 1] || rgba[i + 2] !== bgrx[i]) differ++;
    return differ;
  };
  const xwdLit = async (y0: number): Promise<number> => {
    const out = await new Promise<Buffer>((resolve, reject) =>
      execFile('xwd', ['-root', '-silent', '-display', xs.display], { encoding: 'buffer', maxBuffer: 1 << 25 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const px = out.subarray(out.readUInt32BE(0) + out.readUInt32BE(76) * 12);
    let lit = 0;
    for (let i = y0 * W * 4; i < W * H * 4; i += 4) if (px[i]! | px[i + 1]! | px[i + 2]!) lit++;
    return lit;
  };
  /** Page coordinates of a remote-screen pixel on the (scaled) canvas. */
  const at = async (x: number, y: number): Promise<{ x: number; y: number }> => {
    const box = (await canvas.boundingBox())!;
    return { x: box.x + ((x + 0.5) * box.width) / W, y: box.y + ((y + 0.5) * box.height) / H };
  };

  t.test('start sharing: the canvas shows exactly what the X server holds', async (t) => {
    await view.locator('[data-action="screen-start"]').click();
    await view.locator('[data-testid="screen-status"][data-state="viewing"]').waitFor({ timeout: 20_000 });
    await canvas.and(page.locator('[data-frames]')).waitFor();
    let differ = -1;
    for (let i = 0; i < 60 && differ !== 0; i++) {
      differ = sameAsDisplay(await canvasPixels(), await grabber.grab({ x: 0, y: 0, width: W, height: H }));
      if (differ !== 0) await new Promise((r) => setTimeout(r, 200));
    }
    t.equal(differ, 0, 'canvas pixels equal a direct GetImage of the root (full colour)');
    await view.locator('.event-log', { hasText: /allowed viewing/ }).waitFor();
    t.pass('the event log shows that the customer allowed viewing');
  });

  t.test('control: the rep clicks into the xterm and types a command', async (t) => {
    await view.locator('[data-action="screen-control"]').click();
    await view.locator('[data-testid="screen-control-state"][data-state="granted-mine"]').waitFor({ timeout: 15_000 });
    const file = path.join(work, 'typed.txt');
    const p = await at(200, 80);
    await page.mouse.click(p.x, p.y);
    await page.keyboard.type(`echo typed-through-console > ${file}`);
    await page.keyboard.press('Enter');
    await until(() => existsSync(file) && readFileSync(file, 'utf8').length > 0, 'the typed file', 15_000);
    t.equal(readFileSync(file, 'utf8'), 'typed-through-console\n');
  });

  t.test('black and white costs fewer bytes per key frame than full colour', async (t) => {
    const keyBytes = async (mode: string): Promise<number> => {
      await view.locator('[data-testid="screen-mode"]').selectOption(mode);
      await page.locator(`.session-view:not([hidden]) [data-testid="screen-canvas"][data-key-mode="${mode}"]`).waitFor({ state: 'attached' });
      return Number(await canvas.getAttribute('data-last-key-bytes'));
    };
    await keyBytes('more-colours');
    const full = await keyBytes('full-colour');
    const bw = await keyBytes('black-and-white');
    t.ok(bw < full, `black and white ${bw} B < full colour ${full} B`);
    await keyBytes('full-colour');
  });

  t.test('privacy screen: the display is black, the canvas still shows the desktop', async (t) => {
    const before = await grabber.grab({ x: 0, y: 0, width: W, height: H }).then((b) => Buffer.from(b));
    await view.locator('[data-action="screen-privacy"]').click();
    await view.locator('.screen-privacy-note:not([hidden])').waitFor();
    await until(async () => (await xwdLit(120)) === 0, 'the display to go black');
    t.equal(await xwdLit(120), 0, 'a direct capture (xwd) is black below the notice');
    // Moving the pointer makes the client send a fresh frame of the composed desktop.
    const p = await at(600, 500);
    await page.mouse.move(p.x, p.y);
    await new Promise((r) => setTimeout(r, 800));
    const differ = sameAsDisplay(await canvasPixels(), before);
    t.ok(differ <= 100, `the canvas still shows the desktop (${differ} px differ: the xterm's cursor cell)`);
    await view.locator('[data-action="screen-privacy"]').click();
    await view.locator('.screen-privacy-note[hidden]').waitFor({ state: 'attached' });
    await until(async () => (await xwdLit(120)) > 1000, 'the desktop back on the display');
  });

  t.test('clipboard both ways', async (t) => {
    await view.locator('[data-action="screen-clipboard"]').click();
    await new Promise((r) => setTimeout(r, 300));
    xs.run('sh', ['-c', "printf 'from the customer' | xclip -selection clipboard -i >/dev/null 2>&1"]);
    await until(async () => (await view.locator('[data-testid="screen-remote-clipboard"]').inputValue()) === 'from the customer', 'the customer clipboard in the console');
    t.pass('the customer\'s clipboard text appears in the console');
    await view.locator('[data-testid="screen-paste"]').fill('from the rep');
    await view.locator('[data-action="screen-paste-send"]').click();
    const got = await until(async () => ((await xs.runAsync('xclip', ['-o', '-selection', 'clipboard']).catch(() => '')) === 'from the rep' ? 'yes' : ''), 'the rep text on the customer clipboard');
    t.equal(got, 'yes');
  });

  t.test('release and stop; no CSP violations', async (t) => {
    await view.locator('[data-action="screen-control"]').click();
    await view.locator('[data-testid="screen-control-state"][data-state="none"]').waitFor({ state: 'attached' });
    await view.locator('[data-action="screen-stop"]').click();
    await client.waitFor(/Screen sharing ended/, 10_000);
    await view.locator('.event-log', { hasText: /stopped viewing the screen/ }).waitFor();
    t.same(cspViolations, []);
  });
}
