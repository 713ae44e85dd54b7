/**
 * The browser pages end to end in real Chromium against the real appliance
 * (F1, F2, F6, F31 first part): an administrator signs in at /login, enables
 * the web console under Security and adds a rep on Users; the rep signs in at
 * /console (refused with a clear message while the setting is off), logs out
 * (the old cookie is dead afterwards), and is signed out with a message when
 * signing in from another browser. My Account's "Start web console" opens a
 * signed-in console tab, which turning the setting off signs out again; the
 * Users and Teams pages work by keyboard and dialog; the language switch
 * rewrites the page; no page logs
 * a Content-Security-Policy violation. Screenshots go to /tmp for review.
 */
import t from 'tap';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { Agent } from './helpers/http.ts';

const REP = { username: 'rita', displayName: 'Rita Rep', password: 'rita-password-1' };
const SCREENSHOT_DIR = '/tmp';

t.test('web pages: /login administration and the /console sign-in lifecycle', async (t) => {
  const appliance = await startAppliance();
  t.teardown(async () => {
    // On failure the appliance's log is the first thing to read.
    if (!t.passing()) t.comment(appliance.output().slice(-4000));
    await appliance.stop();
  });
  const chromium = await launchTrusting(appliance.caPem);
  t.teardown(() => chromium.close());
  const { origin } = appliance;

  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const watch = (page: Page, name: string): Page => {
    page.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(`${name}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
    return page;
  };
  const newContext = (): Promise<BrowserContext> => chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

  const adminCtx = await newContext();
  adminCtx.on('page', (p) => watch(p, 'admin-tab'));
  const admin = watch(await adminCtx.newPage(), 'admin');
  const repCtx = await newContext();
  const rep = watch(await repCtx.newPage(), 'rep');

  await t.test('while the setting is off, /console refuses sign-in with a clear message', async (t) => {
    await rep.goto(`${origin}/console`);
    await rep.fill('#login-username', 'admin');
    await rep.fill('#login-password', ADMIN_PASSWORD);
    await rep.press('#login-password', 'Enter');
    await rep.locator('#login-error').filter({ hasText: 'turned off' }).waitFor();
    t.match(await rep.textContent('#login-error'), /Web console connections are turned off/);
    t.equal(await rep.locator('#console-frame').count(), 0);
  });

  await t.test('admin signs in at /login; My Account has no console button yet', async (t) => {
    await admin.goto(`${origin}/login`);
    t.equal(await admin.getAttribute('html', 'lang'), 'en');
    await admin.fill('#login-username', 'admin');
    await admin.fill('#login-password', 'wrong-password');
    await admin.click('#login-submit');
    await admin.locator('#login-error').filter({ hasText: 'wrong' }).waitFor();
    await admin.fill('#login-password', ADMIN_PASSWORD);
    await admin.click('#login-submit');
    await admin.waitForURL(`${origin}/account`);
    await admin.locator('#account-username').filter({ hasText: 'admin' }).waitFor();
    t.equal(await admin.locator('#start-web-console').count(), 0, 'no Start web console while F2 is off');
    t.match(await admin.textContent('.main-nav'), /Users.*Teams.*Security/s);
  });

  await t.test('admin enables web console connections on Security', async (t) => {
    await admin.click('[data-testid="nav-security"]');
    await admin.waitForURL(`${origin}/admin/security`);
    const box = admin.locator('#allow-web-console');
    await t.resolves(box.waitFor({ state: 'attached' }));
    await admin.waitForFunction(() => (document.getElementById('allow-web-console') as HTMLInputElement | null)?.disabled === false, undefined, { polling: 50 });
    t.equal(await box.isChecked(), false, 'off by default');
    await box.check();
    await admin.click('#save-security');
    await admin.locator('.notice-success').waitFor();
  });

  await t.test('admin adds a rep on Users', async (t) => {
    await admin.click('[data-testid="nav-users"]');
    await admin.waitForURL(`${origin}/admin/users`);
    await admin.locator('[data-testid="user-admin"]').waitFor();
    await admin.fill('#new-username', REP.username);
    await admin.fill('#new-display-name', REP.displayName);
    await admin.fill('#new-password', 'short');
    await admin.click('#create-user');
    await admin.locator('.notice-error').filter({ hasText: '10 characters' }).waitFor();
    await admin.fill('#new-password', REP.password);
    await admin.click('#create-user');
    const row = admin.locator(`[data-testid="user-${REP.username}"]`);
    await row.waitFor();
    t.match(await row.textContent(), /Rita Rep.*Active/s);
    await admin.locator('.notice-success').filter({ hasText: REP.username }).waitFor();
    await admin.screenshot({ path: `${SCREENSHOT_DIR}/relaydesk-admin-users.png`, fullPage: true });
  });

  await t.test('reset-password dialog: coded error inside, Escape closes, focus returns', async (t) => {
    const reset = admin.locator(`[data-testid="user-${REP.username}"] [data-action="reset-password"]`);
    await reset.click();
    const dialog = admin.locator('[data-testid="reset-password-dialog"]');
    await dialog.waitFor();
    t.equal(await admin.evaluate(() => document.activeElement?.id), 'reset-password-input', 'focus moved into the dialog');
    await admin.keyboard.type('short');
    await admin.keyboard.press('Enter');
    await dialog.locator('.dialog-error').filter({ hasText: '10 characters' }).waitFor();
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    t.equal(await admin.evaluate(() => document.activeElement?.getAttribute('data-action')), 'reset-password', 'focus back on the opener');
  });

  await t.test('Teams: create, add the rep as lead, delete after confirming', async (t) => {
    await admin.click('[data-testid="nav-teams"]');
    await admin.waitForURL(`${origin}/admin/teams`);
    await admin.fill('#new-team-name', 'Helpdesk');
    await admin.press('#new-team-name', 'Enter');
    const card = admin.locator('[data-testid="team-Helpdesk"]');
    await card.waitFor();
    const form = card.locator('form', { hasText: 'Add member' });
    await form.locator('select').first().selectOption({ label: `${REP.displayName} (${REP.username})` });
    await form.locator('select').nth(1).selectOption('lead');
    await form.locator('button[type="submit"]').click();
    await admin.locator('.notice-success').filter({ hasText: `${REP.displayName} was added to Helpdesk` }).waitFor();
    t.equal(await card.locator('tbody select').inputValue(), 'lead');
    const agent = new Agent(origin, appliance.caPem);
    await agent.signIn('admin', ADMIN_PASSWORD);
    const teams = (await agent.get('/api/admin/teams')).json().teams;
    t.match(teams, [{ name: 'Helpdesk', members: [{ role: 'lead' }] }], 'stored on the appliance');

    await admin.fill('#new-team-name', 'Short-lived');
    await admin.press('#new-team-name', 'Enter');
    const doomed = admin.locator('[data-testid="team-Short-lived"]');
    await doomed.locator('button', { hasText: 'Delete team' }).click();
    const dialog = admin.locator('[data-testid="delete-team-dialog"]');
    await dialog.locator('button.danger').click();
    await doomed.waitFor({ state: 'detached' });
    await admin.locator('.notice-success').filter({ hasText: 'Short-lived was deleted' }).waitFor();
  });

  await t.test('My Account now shows the console button', async (t) => {
    await admin.click('[data-testid="nav-account"]');
    await admin.waitForURL(`${origin}/account`);
    await admin.locator('#start-web-console').waitFor();
    t.pass('Start web console is visible');
  });

  await t.test('rep signs in at /console and lands in the console frame', async (t) => {
    await rep.fill('#login-username', REP.username);
    await rep.fill('#login-password', REP.password);
    await rep.click('#login-submit');
    await rep.locator('#console-frame').waitFor();
    t.equal(await rep.textContent('#rep-name'), REP.displayName);
    await rep.locator('#link-state[data-state="online"]').waitFor();
    t.equal(await rep.locator('.queue-item[data-kind="personal"]').count(), 1, 'personal queue shown');
    await rep.locator('.queue-item', { hasText: 'Helpdesk' }).waitFor();
    t.match(await rep.locator('.queue-item').allTextContents(), [/Personal queue/, /Helpdesk/], 'one queue per team');
    t.match(await rep.textContent('#queue-title'), 'Personal queue', 'the personal queue is selected first');
    t.match(await rep.textContent('#sessions-button'), /Sessions\s*0/);
    await rep.screenshot({ path: `${SCREENSHOT_DIR}/relaydesk-console-frame.png` });
  });

  await t.test('signing in from a second browser signs the first out with a message (F6)', async (t) => {
    const otherCtx = await newContext();
    t.teardown(() => otherCtx.close());
    const other = watch(await otherCtx.newPage(), 'rep-other');
    await other.goto(`${origin}/console`);
    await other.fill('#login-username', REP.username);
    await other.fill('#login-password', REP.password);
    await other.click('#login-submit');
    await other.locator('#console-frame').waitFor();
    await rep.locator('#signed-out-message').waitFor();
    t.match(await rep.textContent('#signed-out-message'), /signed in to the console somewhere else/);
    t.equal(await rep.locator('#sign-in-again').count(), 1);

    await t.test('logout shows the confirmation and kills the cookie', async (t) => {
      const cookie = (await otherCtx.cookies(origin)).find((c) => c.name === '__Host-rd_console');
      t.ok(cookie, 'console cookie present while signed in');
      await other.locator('#link-state[data-state="online"]').waitFor();
      await other.click('#logout');
      await other.locator('#signed-out-message').waitFor();
      t.match(await other.textContent('#signed-out-message'), /You have been signed out of the web console/);
      const agent = new Agent(origin, appliance.caPem);
      agent.cookies.set('__Host-rd_console', cookie!.value);
      const me = await agent.get('/api/console/me');
      t.equal(me.status, 401, 'the old console cookie no longer works');
      await other.click('#sign-in-again');
      await other.locator('#login-username').waitFor();
    });
  });

  await t.test('Start web console opens a signed-in console tab', async (t) => {
    const [tab] = await Promise.all([adminCtx.waitForEvent('page'), admin.click('#start-web-console')]);
    await tab.locator('#console-frame').waitFor();
    t.equal(await tab.textContent('#rep-name'), 'Administrator');
    t.notMatch(tab.url(), /ticket=/, 'the one-time ticket left the address bar');
    await tab.locator('#link-state[data-state="online"]').waitFor();

    await t.test('turning the setting off signs that console out with a message (F2)', async (t) => {
      // A background tab's animation frames are throttled, which slows Playwright's checks on it.
      await admin.bringToFront();
      await admin.click('[data-testid="nav-security"]');
      await admin.waitForFunction(() => (document.getElementById('allow-web-console') as HTMLInputElement | null)?.disabled === false, undefined, { polling: 50 });
      await admin.uncheck('#allow-web-console');
      await admin.click('#save-security');
      await tab.locator('#signed-out-message').waitFor();
      t.match(await tab.textContent('#signed-out-message'), /turned off web console connections/);
      await admin.click('[data-testid="nav-account"]');
      await admin.locator('.card', { hasText: 'turned off on this appliance' }).waitFor();
      t.equal(await admin.locator('#start-web-console').count(), 0, 'the button is hidden again');
    });
    await tab.close();
  });

  await t.test('switching to Deutsch rewrites the page in place', async (t) => {
    await admin.selectOption('#lang-select', 'de');
    await admin.locator('[data-testid="nav-account"]').filter({ hasText: 'Mein Konto' }).waitFor();
    t.equal(await admin.getAttribute('html', 'lang'), 'de');
    await admin.locator('.card', { hasText: 'Die Web-Konsole ist auf dieser Appliance ausgeschaltet' }).waitFor();
    t.equal(await admin.evaluate(() => localStorage.getItem('relaydesk.lang')), 'de');
    await admin.reload();
    await admin.locator('#sign-out').filter({ hasText: 'Abmelden' }).waitFor();
    t.pass('the choice survives a reload');
  });

  t.same(cspViolations, [], 'no Content-Security-Policy violations');
  t.same(pageErrors, [], 'no uncaught page errors');
});
