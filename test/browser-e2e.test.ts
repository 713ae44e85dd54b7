/**
 * The whole support flow as people do it: Rep A in Chromium makes a session
 * key; the customer downloads the real customer client from the appliance
 * and runs it with the key; the popup appears; Rep A accepts; chat goes both
 * ways between the page and the client's terminal; Rep A transfers to a
 * team; Rep B (second browser) accepts; Rep B ends; the client exits and
 * removes itself. Then the portal's rep pick lands in that rep's queue.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { download, runClient } from './helpers/customer.ts';
import { adminAgent, createTeam, createUser, joinCustomer } from './helpers/rep.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const admin = await adminAgent(app);
const aliceId = await createUser(admin, 'alice');
const bobId = await createUser(admin, 'bob');
await createTeam(admin, 'Tier 1', [[aliceId, 'member']]);
await createTeam(admin, 'Escalation', [[bobId, 'member']]);
const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-e2e-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const chromium = await launchTrusting(app.caPem);
t.teardown(() => chromium.close());
const context = () => chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
const cspViolations: string[] = [];
const watch = (page: Page): Page => {
  page.on('console', (m) => /Content[- ]Security[- ]Policy/i.test(m.text()) && cspViolations.push(m.text()));
  return page;
};
async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${app.origin}/console`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', `${username}-password`);
  await page.click('#login-submit');
  await page.locator('#link-state[data-state="online"]').waitFor();
}

const repA = watch(await (await context()).newPage());
const repB = watch(await (await context()).newPage());
await signIn(repA, 'alice');
await signIn(repB, 'bob');

t.test('key → real client → popup → accept → chat → transfer → second rep → end → client gone', async (t) => {
  await repA.click('#start-session');
  await repA.click('#key-generate');
  await repA.locator('#key-short').waitFor();
  const key = (await repA.textContent('#key-short'))!;
  t.match(key, /^\d{7}$/);

  const build = await download(app, '/download/relaydesk-client.mjs', dir);
  t.equal(build.status, 200);
  const client = runClient(build.file, ['--key', key, '--name', 'Cora', '--say', 'Hello, my screen is frozen'], { typing: true });
  t.teardown(() => client.kill());
  await client.waitFor(/[Ww]aiting for a representative/);
  await repA.keyboard.press('Escape');

  const popup = repA.locator('.popup', { hasText: 'Cora' });
  await popup.waitFor();
  await popup.locator('[data-action="show"]').click();
  t.match(await repA.textContent('#session-facts'), new RegExp(os.hostname()), 'the client reported its host name');
  await repA.click('#accept-session');
  const viewA = repA.locator('.session-view:not([hidden])');
  await viewA.locator('.chat-line', { hasText: 'Hello, my screen is frozen' }).waitFor();
  t.pass('the client’s chat reached the console');
  await client.waitFor(/Alice/);
  await viewA.locator('.chat-input').fill('Let me bring in a colleague');
  await viewA.locator('.chat-input').press('Enter');
  await client.waitFor(/Alice: Let me bring in a colleague/);
  client.type('Thank you');
  await viewA.locator('.chat-line', { hasText: 'Thank you' }).waitFor();
  t.pass('typed chat from the client reached the console');

  await viewA.locator('[data-action="transfer"]').click();
  const dialog = repA.locator('[data-testid="transfer-dialog"]');
  await dialog.locator('label', { hasText: 'Escalation' }).click();
  await dialog.locator('button[type="submit"]').click();

  await repB.locator('.popup', { hasText: 'Cora' }).locator('[data-action="show"]').click();
  await repB.click('#accept-session');
  const viewB = repB.locator('.session-view:not([hidden])');
  await viewB.locator('.chat-line', { hasText: 'Thank you' }).waitFor();
  await viewA.locator('[data-action="end"][aria-disabled="true"]').waitFor();
  t.pass('Rep B owns it, with the history; Rep A’s owner actions are greyed out');
  t.equal(await viewA.locator('[data-action="remove-member"]').count(), 0, 'only the owner sees Remove next to members');

  await viewB.locator('[data-action="remove-member"]').click();
  await repB.locator('[data-testid="remove-member-dialog"] button.danger').click();
  await repA.locator('#console-home:not([hidden])').waitFor();
  t.match(await repA.textContent('#console-notice'), /no longer a member/, 'Rep A is told she was taken out');
  await viewB.locator('.event-line', { hasText: 'removed Alice from the session' }).waitFor();

  await viewB.locator('[data-action="end"]').click();
  await repB.locator('[data-testid="end-dialog"] button.danger').click();
  const exit = await client.exited;
  t.equal(exit.code, 0, 'the client exits cleanly when the session ends');
  t.notOk(existsSync(build.file), 'and removes itself');
  await repA.locator('#console-home:not([hidden])').waitFor();
});

t.test('portal: picking Rep B puts the session in Rep B’s personal queue', async (t) => {
  const portal = watch(await (await context()).newPage());
  await portal.goto(app.origin);
  const info = await portal.evaluate(async () => (await fetch('/api/portal/info')).json());
  t.ok(info.reps.some((r: any) => r.name === 'Bob'), 'Bob is listed as available');
  const start = await portal.evaluate(
    async (repId) =>
      (await fetch('/api/portal/start', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode: 'rep', repId, name: 'Piet' }) })).json(),
    bobId,
  );
  const build = await download(app, start.download, dir, 'piet.mjs');
  const client = runClient(build.file, ['--keep']);
  t.teardown(() => client.kill());
  const popup = repB.locator('.popup', { hasText: 'Piet' });
  await popup.waitFor();
  await popup.locator('[data-action="show"]').click();
  t.match(await repB.textContent('#queue-title'), /Personal|Bob/);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(await repA.locator('.popup', { hasText: 'Piet' }).count(), 0, 'Rep A is not told about it');
  await client.kill();
  t.same(cspViolations, [], 'no CSP violations');
});

t.test('pin the computer as a jump client, jump to it later from Jump Items, remove it', async (t) => {
  const jumpDir = path.join(dir, 'jump');
  t.teardown(() => {
    try {
      process.kill(Number(readFileSync(path.join(jumpDir, 'jump.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // Gone already.
    }
  });
  await repA.click('#start-session');
  await repA.click('#key-generate');
  await repA.locator('#key-short').waitFor();
  const key = (await repA.textContent('#key-short'))!;
  await repA.keyboard.press('Escape');
  const build = await download(app, '/download/relaydesk-client.mjs', dir, 'lab.mjs');
  const client = runClient(build.file, ['--key', key, '--name', 'Lab', '--jump-dir', jumpDir]);
  t.teardown(() => client.kill());
  const popup = repA.locator('.popup', { hasText: 'Lab' });
  await popup.waitFor();
  await popup.locator('[data-action="show"]').click();
  await repA.click('#accept-session');
  const view = repA.locator('.session-view:not([hidden])');
  await view.locator('[data-action="more"]').click();
  await view.locator('[data-action="pin-jump"]').click();
  const pin = repA.locator('[data-testid="pin-dialog"]');
  await pin.locator('#pin-name').fill('Lab PC');
  await pin.locator('#pin-group').selectOption({ label: 'Tier 1' });
  await pin.locator('button[type="submit"]').click();
  await client.waitFor(/pinned this computer as "Lab PC"/);
  await view.locator('.event-line', { hasText: 'pinned this computer as jump client' }).waitFor();
  await view.locator('[data-action="end"]').click();
  await repA.locator('[data-testid="end-dialog"] button.danger').click();
  t.equal((await client.exited).code, 0, 'the session client exits as usual');

  await repA.click('#nav-jump');
  const row = repA.locator('#jump-table tr', { hasText: 'Lab PC' });
  await row.and(repA.locator('[data-online="true"]')).waitFor();
  t.match(await row.textContent(), /Tier 1/);
  await row.locator('[data-action="jump"]').click();
  const jumped = repA.locator('.session-view:not([hidden])', { hasText: 'Lab PC' });
  await jumped.waitFor();
  t.pass('Jump opened a session with the computer, owned by Alice');
  t.equal(await repA.locator('.popup', { hasText: 'Lab PC' }).count(), 0, 'no "new session" popup for her own jump');
  await jumped.locator('.chat-input').fill('hello from the console');
  await jumped.locator('.chat-input').press('Enter');
  const log = path.join(jumpDir, 'jump.log');
  const until = Date.now() + 10_000;
  while (!readFileSync(log, 'utf8').includes('hello from the console') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.match(readFileSync(log, 'utf8'), /chat Alice: hello from the console/, 'the jump client is in the session');
  await jumped.locator('[data-action="end"]').click();
  await repA.locator('[data-testid="end-dialog"] button.danger').click();

  await repB.click('#nav-jump');
  await repB.locator('#jump-table .empty-row').waitFor();
  t.pass('Bob (not in Tier 1) sees no jump items');

  // A jump policy that allows another day only: the jump is refused with the next allowed time.
  const other = (new Date().getUTCDay() + 2) % 7;
  const policy = (await admin.post('/api/admin/jump-policies', { name: 'Weekend only', timeZone: 'UTC', windows: [{ day: other, from: '09:00', to: '17:00' }] })).json().policy;
  await repA.click('#nav-search');
  await repA.click('#nav-jump');
  await row.locator('select[data-action="policy"]').selectOption({ label: 'Weekend only' });
  await repA.locator('#jump-table tr', { hasText: 'Lab PC' }).locator('select[data-action="policy"]').waitFor();
  await new Promise((r) => setTimeout(r, 300));
  await repA.locator('#jump-table tr', { hasText: 'Lab PC' }).locator('[data-action="jump"]').click();
  await repA.locator('#console-notice', { hasText: 'allows the next jump at' }).waitFor();
  t.pass('outside its policy the jump is refused with the next allowed time');
  await repA.locator('#jump-table tr', { hasText: 'Lab PC' }).locator('select[data-action="policy"]').selectOption({ value: '' });
  await admin.del(`/api/admin/jump-policies/${policy.id}`);

  // Search finds the jump item and the past sessions with it.
  await repA.click('#nav-search');
  await repA.fill('#console-search-input', 'lab');
  await repA.press('#console-search-input', 'Enter');
  await repA.locator('#search-jump .search-hit', { hasText: 'Lab PC' }).waitFor();
  await repA.locator('#search-past .search-hit', { hasText: 'Lab PC' }).first().waitFor();
  t.ok((await repA.locator('#search-past .search-hit').count()) >= 2, 'both sessions with the computer are found in the past sessions');
  await repA.fill('#console-search-input', 'no-such-computer');
  await repA.press('#console-search-input', 'Enter');
  await repA.locator('#console-search-results', { hasText: 'Nothing matches' }).waitFor();

  await repA.click('#nav-jump');
  await row.locator('[data-action="remove"]').click();
  await repA.locator('[data-testid="jump-remove-dialog"] button.danger').click();
  await row.waitFor({ state: 'detached' });
  const gone = Date.now() + 10_000;
  while (existsSync(jumpDir) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
  t.notOk(existsSync(jumpDir), 'the jump client uninstalled itself');
  await repA.screenshot({ path: '/tmp/relaydesk-jump.png' });
});

t.test('invite a colleague: the banner on their console, Join, both in the session', async (t) => {
  await repA.click('#start-session');
  await repA.click('#key-generate');
  await repA.locator('#key-short').waitFor();
  const key = (await repA.textContent('#key-short'))!;
  await repA.keyboard.press('Escape');
  const customer = await joinCustomer(app, { key, name: 'Ines' });
  t.teardown(() => customer.socket.ws.close());
  const popup = repA.locator('.popup', { hasText: 'Ines' });
  await popup.waitFor();
  await popup.locator('[data-action="show"]').click();
  await repA.click('#accept-session');
  const view = repA.locator('.session-view:not([hidden])', { hasText: 'Ines' });
  await view.locator('[data-action="invite"]').click();
  const dialog = repA.locator('[data-testid="invite-dialog"]');
  await dialog.locator('button[type="submit"]').click();
  await dialog.locator('.dialog-error', { hasText: 'Choose at least one' }).waitFor();
  await dialog.locator('label', { hasText: 'Bob' }).click();
  await dialog.locator('button[type="submit"]').click();
  await view.locator('[data-testid="invitations"] li', { hasText: 'Bob' }).waitFor();

  const banner = repB.locator('#invitations .invitation', { hasText: 'Ines' });
  await banner.waitFor();
  t.match(await banner.textContent(), /Alice invites you to join the session with Ines/);
  await banner.locator('[data-action="join"]').click();
  const viewB = repB.locator('.session-view:not([hidden])', { hasText: 'Ines' });
  await viewB.waitFor();
  await banner.waitFor({ state: 'detached' });
  await view.locator('[data-testid="members"] li', { hasText: 'Bob' }).waitFor();
  t.pass('Bob joined from the banner; Alice sees him among the members');
  await viewB.locator('.chat-input').fill('Bob joining in');
  await viewB.locator('.chat-input').press('Enter');
  await customer.socket.next((m) => m.t === 'chat' && m.msg.body === 'Bob joining in');
  t.equal(await viewB.locator('[data-action="end"][aria-disabled="true"]').count(), 1, 'Alice stays the owner');

  // A support button left from the session shows in Jump Items with its queue.
  await view.locator('[data-action="more"]').click();
  await view.locator('[data-action="support-button"]').click();
  const bd = repA.locator('[data-testid="button-dialog"]');
  await bd.locator('#button-description').fill('Ines helpdesk');
  await bd.locator('button[type="submit"]').click();
  const install = await customer.socket.next((m) => m.t === 'button_install');
  t.equal(install.description, 'Ines helpdesk', 'the customer client is told to install it');
  await repA.click('#nav-jump');
  await repA.locator('#button-table tr', { hasText: 'Ines helpdesk' }).waitFor();
  // Back into the session through the search, then end it.
  await repA.click('#nav-search');
  await repA.fill('#console-search-input', 'Ines');
  await repA.press('#console-search-input', 'Enter');
  await repA.locator('#search-sessions [data-action="open"]').first().click();
  await view.locator('[data-action="end"]').click();
  await repA.locator('[data-testid="end-dialog"] button.danger').click();
});
