/**
 * Remote VNC in real Chromium (F13, F19), against the real appliance and a
 * real x11vnc serving a real Xvfb on 127.0.0.1 (test/helpers/vnc.ts): Alice
 * adds a Remote VNC item in the Jump Items tab (the dialog says VNC has no
 * host key; a host with a space is refused), jumps with the password typed
 * in the jump dialog, starts the screen and the canvas equals an xwd capture
 * of the display pixel for pixel; she takes control, clicks into an xterm on
 * that display and types `echo vnc-$((6*7)) > FILE`, and FILE holds vnc-42.
 * The session offers no shell or file transfer and says why; ending it
 * closes the RFB connection. A vault password works the same, and neither
 * password is in any frame the browser received.
 * Skipped with the reason when Xvfb or x11vnc are missing.
 * Needs `node scripts/build.mjs` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { DEFAULT_USER_PERMISSIONS } from '../common/permissions.ts';
import { startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { adminAgent, createUser } from './helpers/rep.ts';
import { captureBgrx, startX11vnc, vncUnavailable } from './helpers/vnc.ts';
import { startXvfb, until } from './helpers/xvfb.ts';

const W = 800;
const H = 500;
const PASSWORD = 'vnc-ui-7';

// Runs in the page: the canvas's pixels as base64 RGBA.
const READ_CANVAS = `(() => {
  const c = document.querySelector('.session-view:not([hidden]) [data-testid="screen-canvas"]');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let s = '';
  for (let i = 0; i < px.length; i += 0x8000) s += String.fromCharCode(...px.subarray(i, i + 0x8000));
  return { width: c.width, height: c.height, data: btoa(s) };
})()`;

const why = vncUnavailable();
if (why) {
  t.test('Remote VNC in the browser', { skip: `needs Xvfb and x11vnc: ${why}` }, async () => undefined);
} else {
  await run();
}

async function run(): Promise<void> {
  const xs = await startXvfb(W, H);
  t.teardown(() => xs.stop());
  xs.run('xsetroot', ['-solid', '#3366aa']);
  xs.spawnOn('xterm', ['-geometry', '70x10+40+40', '-e', 'bash --norc --noprofile -i'], { env: { PS1: '$ ' } });
  await until(() => { try { return xs.run('xdotool', ['search', '--class', 'xterm']).trim(); } catch { return ''; } }, 'the xterm');
  const vnc = await startX11vnc(xs.display, { password: PASSWORD });
  t.teardown(() => vnc.stop());
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-browser-vnc-'));
  const app = await startAppliance();
  t.teardown(async () => {
    if (!t.passing()) t.comment(app.output().slice(-3000));
    await app.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(`${app.dataDir}.vault.key`, { force: true });
  });
  const admin = await adminAgent(app);
  const aliceId = await createUser(admin, 'alice');
  const grant = await admin.put(`/api/admin/users/${aliceId}/permissions`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [], shellJump: true, screen: 'control' });
  if (grant.status !== 200) throw new Error(grant.text);

  const chromium = await launchTrusting(app.caPem);
  t.teardown(() => chromium.close());
  const ctx = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page: Page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1'))));
  await page.goto(`${app.origin}/console`);
  await page.fill('#login-username', 'alice');
  await page.fill('#login-password', 'alice-password');
  await page.click('#login-submit');
  await page.locator('#link-state[data-state="online"]').waitFor();

  const canvasPixels = async (): Promise<Buffer> => Buffer.from(((await page.evaluate(READ_CANVAS)) as { data: string }).data, 'base64');
  const differ = (rgba: Buffer, bgrx: Uint8Array): number => {
    let n = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== bgrx[i + 2] || rgba[i + 1] !== bgrx[i + 1] || rgba[i + 2] !== bgrx[i]) n++;
    return n;
  };
  const established = (): string => execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${vnc.port} )`], { encoding: 'utf8' }).trim();

  /** Jumps from the Jump Items row with the dialog's `auth` choice; resolves with the session view. */
  const jump = async (auth: 'password' | 'vault') => {
    await page.click('#nav-jump');
    const row = page.locator('#jump-table tr', { hasText: 'Lab VNC' });
    await row.locator('[data-action="jump"]').click();
    const dialog = page.locator('[data-testid="vnc-jump-dialog"]');
    await dialog.waitFor();
    if (auth === 'password') await page.fill('#vnc-password', PASSWORD);
    else await page.selectOption('#vnc-auth', 'vault');
    await dialog.locator('button[type="submit"]').click();
    const view = page.locator('.session-view:not([hidden])', { hasText: 'Lab VNC' });
    await view.waitFor({ timeout: 20_000 });
    await view.locator('[data-action="screen-start"]').click();
    await view.locator('[data-testid="screen-status"][data-state="viewing"]').waitFor({ timeout: 20_000 });
    return view;
  };

  await t.test('create an item, jump with a typed password, see the display, type into an xterm', async (t) => {
    await page.click('#nav-jump');
    await page.click('[data-action="new-vnc"]');
    const dialog = page.locator('[data-testid="vnc-item-dialog"]');
    await dialog.waitFor();
    t.equal(await page.locator('#vnc-port').inputValue(), '5900', 'port 5900 by default');
    t.match(await dialog.locator('[data-testid="vnc-no-hostkey"]').innerText(), /no host key/, 'the dialog says VNC has no host key');
    await page.fill('#vnc-name', 'Lab VNC');
    await page.fill('#vnc-host', 'lab host');
    await page.fill('#vnc-port', String(vnc.port));
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('.dialog-error').waitFor();
    t.pass('a host with a space is refused with its reason');
    await page.fill('#vnc-host', '127.0.0.1');
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('#jump-table tr', { hasText: 'Lab VNC' });
    t.match(await row.innerText(), new RegExp(`Remote VNC[\\s\\S]*127\\.0\\.0\\.1:${vnc.port}`));

    const view = await jump('password');
    const canvas = view.locator('[data-testid="screen-canvas"]');
    let d = -1;
    for (let i = 0; i < 75 && d !== 0; i++) {
      d = differ(await canvasPixels(), captureBgrx(xs.display).bgrx);
      if (d !== 0) await page.waitForTimeout(200);
    }
    t.equal(d, 0, 'canvas pixels equal an xwd capture of the VNC display');
    t.equal(await view.locator('[data-action="shell-toggle"]').isVisible(), false, 'no command shell');
    t.equal(await view.locator('[data-action="files-toggle"]').isVisible(), false, 'no file transfer');
    t.ok(await view.locator('[data-testid="vnc-screen-only"]').isVisible(), 'the session says it is screen only');
    t.ok(await view.locator('[data-testid="chat-no-customer"]').isVisible(), 'the chat says there is no customer');
    await view.locator('.event-line', { hasText: `Alice started Remote VNC to 127.0.0.1:${vnc.port}` }).waitFor();

    await view.locator('[data-action="screen-control"]').click();
    await view.locator('[data-testid="screen-control-state"][data-state="granted-mine"]').waitFor({ timeout: 15_000 });
    const file = path.join(work, 'typed.txt');
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + (200.5 * box.width) / W, box.y + (80.5 * box.height) / H);
    await page.keyboard.type(`echo vnc-$((6*7)) > ${file}`);
    await page.keyboard.press('Enter');
    const text = await until(() => (existsSync(file) ? readFileSync(file, 'utf8') : ''), 'the typed file', 15_000);
    t.equal(text, 'vnc-42\n', 'the command typed in the console ran in the xterm on the VNC display');
    t.notOk(received.some((f) => f.includes(PASSWORD)), 'the typed password never came back to the browser');

    await view.locator('[data-action="end"]').click();
    await page.locator('[data-testid="end-dialog"] button[type="submit"]').click();
    await until(() => established() === '', 'the RFB connection to close');
    t.pass('ending the session closed the RFB connection');
  });

  await t.test('a vault password is injected without reaching the browser', async (t) => {
    const cred = await admin.post('/api/admin/vault', { name: 'Lab VNC password', username: 'vnc', kind: 'password', secret: PASSWORD, hostPattern: '127.0.0.1', userIds: [aliceId], teamIds: [] });
    t.equal(cred.status, 201, cred.text);
    const before = received.length;
    const view = await jump('vault');
    await view.locator('canvas[data-frames]').waitFor({ timeout: 20_000 });
    t.pass('the stream started with the vault password');
    await view.locator('.event-line', { hasText: 'Lab VNC password' }).first().waitFor();
    t.notOk(received.slice(before).some((f) => f.includes(PASSWORD)), 'no frame to the browser carries the vault password');
    await view.locator('[data-action="end"]').click();
    await page.locator('[data-testid="end-dialog"] button[type="submit"]').click();
    t.same(pageErrors, [], 'no page errors');
  });
}
