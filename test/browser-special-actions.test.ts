/**
 * Special actions in real Chromium with the real customer client: the
 * administrator adds and edits an action on the Special actions page (by
 * keyboard); a rep without the permission sees no Special actions menu in
 * the session view, and it appears live when an administrator grants it;
 * the rep picks the action from the menu with the keyboard, sees the command
 * in the confirmation, runs it; the client (started with --allow-all) writes
 * the file, the notice says how it ended and the event log shows the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { download, runClient } from './helpers/customer.ts';
import { adminAgent, createUser } from './helpers/rep.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const api = await adminAgent(app);
const ritaId = await createUser(api, 'rita');
const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-browser-actions-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const target = path.join(dir, 'touched-from-the-console.txt');

const chromium = await launchTrusting(app.caPem);
t.teardown(() => chromium.close());
const errors: string[] = [];
const newPage = async (): Promise<Page> => {
  const page = await (await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => /Content[- ]Security[- ]Policy/i.test(m.text()) && errors.push(m.text()));
  return page;
};

t.test('admin page: add and edit a special action by keyboard', async (t) => {
  const admin = await newPage();
  await admin.goto(`${app.origin}/login`);
  await admin.fill('#login-username', 'admin');
  await admin.fill('#login-password', ADMIN_PASSWORD);
  await admin.press('#login-password', 'Enter');
  await admin.waitForURL(`${app.origin}/account`);
  await admin.click('[data-testid="nav-special-actions"]');
  await admin.waitForURL(`${app.origin}/admin/special-actions`);
  await admin.locator('[data-testid="action-Reboot"]').waitFor();
  t.match(await admin.textContent('[data-testid="action-Reboot"]'), /systemctl reboot.*Yes/s, 'Reboot is predefined, elevated');

  await admin.locator('#new-action-name').focus();
  await admin.keyboard.type('Touch file');
  await admin.keyboard.press('Tab');
  await admin.keyboard.type(`printf 'ran' > '${target}'; echo touched`);
  await admin.keyboard.press('Tab'); // elevated: leave off
  await admin.keyboard.press('Tab');
  await admin.keyboard.type('Leaves a marker');
  await admin.keyboard.press('Enter');
  const row = admin.locator('[data-testid="action-Touch file"]');
  await row.waitFor();
  t.match(await row.textContent(), /Touch file.*printf.*No.*Leaves a marker/s);

  await row.locator('[data-action="edit"]').click();
  const dialog = admin.locator('[data-testid="edit-action-dialog"]');
  await dialog.waitFor();
  t.equal(await admin.evaluate(() => document.activeElement?.id), 'edit-action-name', 'focus in the first field');
  await admin.fill('#edit-action-description', 'Leaves a marker file');
  await admin.press('#edit-action-description', 'Enter');
  await dialog.waitFor({ state: 'detached' });
  await admin.locator('[data-testid="action-Touch file"]', { hasText: 'Leaves a marker file' }).waitFor();
  const stored = (await api.get('/api/admin/special-actions')).json().actions.find((a: any) => a.name === 'Touch file');
  t.match(stored, { description: 'Leaves a marker file', elevated: false });
  await admin.screenshot({ path: '/tmp/relaydesk-admin-special-actions.png', fullPage: true });
});

t.test('console: the menu follows the permission; pick, confirm, run, see the result', async (t) => {
  const rep = await newPage();
  await rep.goto(`${app.origin}/console`);
  await rep.fill('#login-username', 'rita');
  await rep.fill('#login-password', 'rita-password');
  await rep.click('#login-submit');
  await rep.locator('#link-state[data-state="online"]').waitFor();

  await rep.click('#start-session');
  await rep.click('#key-generate');
  await rep.locator('#key-short').waitFor();
  const key = (await rep.textContent('#key-short'))!;
  await rep.keyboard.press('Escape');
  const build = await download(app, '/download/relaydesk-client.mjs', dir);
  const client = runClient(build.file, ['--key', key, '--name', 'Cora', '--keep', '--allow-all']);
  t.teardown(() => client.kill());
  const popup = rep.locator('.popup', { hasText: 'Cora' });
  await popup.waitFor();
  await popup.locator('[data-action="show"]').click();
  await rep.click('#accept-session');
  const view = rep.locator('.session-view:not([hidden])');
  await view.waitFor();
  await client.waitFor(/Rita joined/);

  const menu = view.locator('[data-testid="special-actions"]');
  t.equal(await menu.isHidden(), true, 'no menu without the permission');
  const grant = { screen: 'control', privacyScreen: false, specialActions: true, shell: true, fileTransfer: 'both', allowedPaths: [] };
  t.equal((await api.put(`/api/admin/users/${ritaId}/permissions`, grant)).status, 200);
  await menu.waitFor({ state: 'visible' });
  t.pass('the menu appeared when the permission was granted');

  const button = menu.locator('[data-action="special-actions"]');
  await button.focus();
  await rep.keyboard.press('Enter');
  await menu.locator('[role="menuitem"]').first().waitFor();
  t.same(await menu.locator('[role="menuitem"]').allTextContents(), ['Reboot', 'Shut down', 'Touch file']);
  t.equal(await rep.evaluate(() => document.activeElement?.textContent), 'Reboot', 'focus on the first item');
  await rep.keyboard.press('ArrowUp'); // wraps to the last
  t.equal(await rep.evaluate(() => document.activeElement?.textContent), 'Touch file');
  await rep.keyboard.press('Enter');
  const dialog = rep.locator('[data-testid="special-action-dialog"]');
  await dialog.waitFor();
  t.match(await dialog.textContent(), /Run Touch file on the customer.*printf 'ran'/s, 'the confirmation shows the command');
  await dialog.locator('button[type="submit"]').click();
  await rep.locator('.notice-success', { hasText: 'Touch file finished with exit code 0' }).waitFor({ timeout: 15_000 });
  t.equal(readFileSync(target, 'utf8'), 'ran', 'the real client ran it');
  await view.locator('.event-line[data-kind="special_action_run"]', { hasText: 'Rita ran the special action Touch file' }).waitFor();
  await view.locator('.event-line[data-kind="special_action_done"]', { hasText: 'exit code 0' }).waitFor();

  // Cancelling the confirmation runs nothing.
  rmSync(target);
  await button.click();
  await menu.locator('[role="menuitem"]', { hasText: 'Touch file' }).click();
  await dialog.waitFor();
  await rep.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  t.notOk(existsSync(target), 'cancelled: nothing ran');

  // Taking the permission away hides the menu live.
  t.equal((await api.put(`/api/admin/users/${ritaId}/permissions`, { ...grant, specialActions: false })).status, 200);
  await menu.waitFor({ state: 'hidden' });
  await rep.screenshot({ path: '/tmp/relaydesk-console-special-actions.png', fullPage: true });
  t.same(errors, [], 'no page errors or CSP violations');
});
