/**
 * The permission controls of the admin pages in real Chromium against the
 * real appliance (F31): on Users, a rep's Permissions dialog is worked by
 * keyboard (turn the command shell off, restrict paths), a bad path is
 * refused with its coded text inside the dialog and nothing is stored, and
 * the saved grant is what the API returns; on Teams, a team's grant is saved
 * and widens its member's effective permissions. A rep console that is open
 * meanwhile receives each change live.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { adminAgent, createTeam, createUser, signInRep } from './helpers/rep.ts';

t.test('admin UI: user and team permissions', async (t) => {
  const app = await startAppliance();
  t.teardown(async () => {
    if (!t.passing()) t.comment(app.output().slice(-4000));
    await app.stop();
  });
  const api = await adminAgent(app);
  const ritaId = await createUser(api, 'rita');
  const teamId = await createTeam(api, 'Linux', [[ritaId, 'member']]);
  const rita = await signInRep(app, 'rita');
  t.teardown(() => rita.socket.ws.close());
  t.equal(rita.welcome.permissions.shell, true, 'the default grant allows the shell');

  const chromium = await launchTrusting(app.caPem);
  t.teardown(() => chromium.close());
  const ctx = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page: Page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) errors.push(m.text());
  });

  await page.goto(`${app.origin}/login`);
  await page.fill('#login-username', 'admin');
  await page.fill('#login-password', ADMIN_PASSWORD);
  await page.press('#login-password', 'Enter');
  await page.waitForURL(`${app.origin}/account`);

  await t.test('Users: the Permissions dialog by keyboard; a bad path changes nothing', async (t) => {
    await page.click('[data-testid="nav-users"]');
    await page.waitForURL(`${app.origin}/admin/users`);
    const open = page.locator('[data-testid="user-rita"] [data-action="permissions"]');
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('[data-testid="permissions-dialog"]');
    await dialog.waitFor();
    t.equal(await page.locator('#user-screen').inputValue(), 'control');
    t.equal(await page.locator('#user-shell').isChecked(), true);
    t.equal(await page.locator('#user-file-transfer').inputValue(), 'both');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'user-screen', 'focus starts on the first control');

    // Tab through screen → privacy → special actions → shell; Space turns the shell off.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'user-shell');
    await page.keyboard.press('Space');
    t.equal(await page.locator('#user-shell').isChecked(), false);
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'user-shell-jump', 'then "create Shell Jump items", off by default');
    t.equal(await page.locator('#user-shell-jump').isChecked(), false);
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'user-file-transfer');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'user-paths');
    await page.keyboard.type('/home/rita\n/srv/../etc');
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('.dialog-error').filter({ hasText: '. or ..' }).waitFor();
    t.same((await api.get(`/api/admin/users/${ritaId}/permissions`)).json().permissions.shell, true, 'refused: nothing stored');

    await page.fill('#user-paths', '/home/rita\n\n  /srv/share  \n');
    await page.locator('#user-paths').focus();
    await page.keyboard.press('Tab'); // to Cancel
    await page.keyboard.press('Tab'); // to Save
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.notice-success').filter({ hasText: 'permissions of rita were saved' }).waitFor();
    t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'permissions', 'focus back on the opener');

    const stored = (await api.get(`/api/admin/users/${ritaId}/permissions`)).json().permissions;
    t.same(stored, { screen: 'control', privacyScreen: false, specialActions: false, shell: false, shellJump: false, fileTransfer: 'both', allowedPaths: ['/home/rita', '/srv/share'] });
    const live = await rita.socket.next((m) => m.t === 'permissions' && m.permissions.shell === false);
    t.same(live.permissions.allowedPaths, ['/home/rita', '/srv/share'], "rita's open console heard it");

    // Opening the dialog again shows what is stored.
    await open.click();
    await dialog.waitFor();
    t.equal(await page.locator('#user-shell').isChecked(), false);
    t.equal(await page.locator('#user-paths').inputValue(), '/home/rita\n/srv/share');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await t.test('Teams: a team grant widens its member', async (t) => {
    await page.click('[data-testid="nav-teams"]');
    await page.waitForURL(`${app.origin}/admin/teams`);
    const card = page.locator('[data-testid="team-Linux"]');
    await card.waitFor();
    const save = card.locator('[data-role="save-permissions"]');
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLButtonElement | null)?.disabled === false, `[data-team-id="${teamId}"] [data-role="save-permissions"]`, { polling: 50 });
    t.equal(await page.locator(`#team-${teamId}-shell`).isChecked(), false, 'a team grants nothing at first');
    t.equal(await page.locator(`#team-${teamId}-screen`).inputValue(), 'none');
    await page.locator(`#team-${teamId}-shell`).check();
    await page.locator(`#team-${teamId}-special`).check();
    await page.locator(`#team-${teamId}-file-transfer`).selectOption('upload');
    await page.fill(`#team-${teamId}-paths`, '/var/log');
    await save.click();
    await page.locator('.notice-success').filter({ hasText: 'permissions of Linux were saved' }).waitFor();
    t.same((await api.get(`/api/admin/teams/${teamId}/permissions`)).json().permissions, {
      screen: 'none',
      privacyScreen: false,
      specialActions: true,
      shell: true,
      shellJump: false,
      fileTransfer: 'upload',
      allowedPaths: ['/var/log'],
    });
    const eff = (await api.get(`/api/admin/users/${ritaId}/permissions`)).json().effective;
    t.same(eff, { screen: 'control', privacyScreen: false, specialActions: true, shell: true, shellJump: false, fileTransfer: 'both', allowedPaths: ['/home/rita', '/srv/share', '/var/log'] });
    const live = await rita.socket.next((m) => m.t === 'permissions' && m.permissions.shell === true && m.permissions.specialActions === true);
    t.same(live.permissions, eff);

    // The user's dialog shows the merged set next to the user's own grant.
    await page.click('[data-testid="nav-users"]');
    await page.locator('[data-testid="user-rita"] [data-action="permissions"]').click();
    const summary = page.locator('[data-testid="effective-permissions"]');
    await summary.waitFor();
    t.match(await summary.textContent(), /with their teams:.*View and control.*Special actions.*Command shell.*Upload and download \(\/home\/rita, \/srv\/share, \/var\/log\)/);
    t.equal(await page.locator('#user-shell').isChecked(), false, 'the own grant still says no shell');
    await page.keyboard.press('Escape');
    await page.click('[data-testid="nav-teams"]');
    await page.locator('[data-testid="team-Linux"]').waitFor();
    await page.screenshot({ path: '/tmp/relaydesk-admin-team-permissions.png', fullPage: true });
  });

  await t.test('German texts on the permission controls', async (t) => {
    await page.selectOption('.page-header .lang-select select', 'de');
    await page.locator(`[data-testid="team-Linux"] legend`).filter({ hasText: 'Berechtigungen' }).waitFor();
    t.match(await page.locator(`[data-testid="team-Linux"] fieldset`).textContent(), /Bildschirmfreigabe.*Befehlszeile.*Dateiübertragung/s);
    await page.selectOption('.page-header .lang-select select', 'en');
  });

  t.same(errors, [], 'no page errors or CSP violations');
});
