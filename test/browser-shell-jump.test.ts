/**
 * Shell Jump in real Chromium (F13), against the real appliance and a real
 * OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts): Alice, allowed to
 * create Shell Jump items, adds one in the Jump Items tab, jumps with her
 * private key pasted into the jump dialog, compares and trusts the host key,
 * types `echo jump-$((6*7))` in the session's terminal and sees `jump-42`;
 * the chat says there is no customer; ending the session closes the SSH
 * connection. A rep without the permission gets no "new item" button. The
 * admin stores a private key on the Vault page (shown as dots), Alice picks
 * it for a jump and signs in without seeing it, the admin page shows it
 * checked out by her and free again once the session ended, and no frame or
 * HTTP answer to either browser carries the key. A PAM server's login
 * question is answered in the console's prompt dialog.
 * Skipped with the reason when sshd cannot run here.
 * Needs `node scripts/build.mjs` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Locator, Page } from 'playwright-core';
import { DEFAULT_USER_PERMISSIONS } from '../common/permissions.ts';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { adminAgent, createUser } from './helpers/rep.ts';
import { SSH_UI_USER as SSH_TEST_USER, sshdUnavailable, startSshd } from './helpers/sshd.ts';

const why = sshdUnavailable(SSH_TEST_USER);
if (why) {
  t.test('Shell Jump in the browser against a real sshd', { skip: `needs a real sshd: ${why}` }, async () => undefined);
} else {
  await run();
}

async function run(): Promise<void> {
  const sshd = await startSshd({ user: SSH_TEST_USER });
  t.teardown(() => sshd.stop());
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-browser-shelljump-'));
  const app = await startAppliance();
  t.teardown(async () => {
    if (!t.passing()) t.comment(app.output().slice(-3000), sshd.output().slice(-2000));
    await app.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(`${app.dataDir}.vault.key`, { force: true });
  });
  const admin = await adminAgent(app);
  const aliceId = await createUser(admin, 'alice');
  await createUser(admin, 'bob');
  const grant = await admin.put(`/api/admin/users/${aliceId}/permissions`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [], shellJump: true });
  if (grant.status !== 200) throw new Error(grant.text);

  const chromium = await launchTrusting(app.caPem);
  t.teardown(() => chromium.close());
  const pageErrors: string[] = [];
  const signIn = async (user: string): Promise<Page> => {
    const ctx = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${app.origin}/console`);
    await page.fill('#login-username', user);
    await page.fill('#login-password', `${user}-password`);
    await page.click('#login-submit');
    await page.locator('#link-state[data-state="online"]').waitFor();
    return page;
  };
  const page = await signIn('alice');
  /** Everything the appliance sent this page over WebSockets, to prove no secret reached the browser. */
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1'))));

  const screenShows = async (term: Locator, pattern: RegExp, timeoutMs = 15_000): Promise<string> => {
    const until = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < until) {
      text = (await term.locator('.xterm-rows').innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      if (pattern.test(text)) return text;
      await page.waitForTimeout(100);
    }
    throw new Error(`the terminal never showed ${pattern}; it shows:\n${text}`);
  };

  await t.test('a rep without the permission gets no "new Shell Jump item" button', async (t) => {
    const bob = await signIn('bob');
    await bob.click('#nav-jump');
    await bob.locator('#jump-table').waitFor();
    t.equal(await bob.locator('[data-action="new-shell-jump"]').isVisible(), false);
    await bob.context().close();
  });

  await t.test('create an item, jump with a key, trust the host key, run a command', async (t) => {
    await page.click('#nav-jump');
    await page.click('[data-action="new-shell-jump"]');
    const dialog = page.locator('[data-testid="shell-item-dialog"]');
    await dialog.waitFor();
    t.equal(await page.locator('#sj-port').inputValue(), '22', 'port 22 by default');
    await page.fill('#sj-name', 'Lab server');
    await page.fill('#sj-host', 'lab host');
    await page.fill('#sj-port', String(sshd.port));
    await page.fill('#sj-user', SSH_TEST_USER);
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('.dialog-error', { hasText: 'invalid host' }).waitFor();
    t.pass('a host name with a space is refused with its reason');
    await page.fill('#sj-host', '127.0.0.1');
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('#jump-table tr', { hasText: 'Lab server' });
    await row.waitFor();
    t.match(await row.innerText(), new RegExp(`Shell Jump \\(SSH\\)[\\s\\S]*${SSH_TEST_USER}@127\\.0\\.0\\.1:${sshd.port}`));

    await row.locator('[data-action="jump"]').click();
    const jumpDialog = page.locator('[data-testid="shell-jump-dialog"]');
    await jumpDialog.waitFor();
    await page.selectOption('#sj-auth', 'key');
    await page.fill('#sj-key', sshd.clientKey);
    await jumpDialog.locator('button[type="submit"]').click();
    const trust = page.locator('[data-testid="hostkey-dialog"]');
    await trust.waitFor();
    t.equal(await trust.locator('[data-testid="hostkey-fingerprint"]').innerText(), sshd.fingerprint, 'the fingerprint ssh-keygen -lf prints');
    await trust.locator('button[type="submit"]').click();

    const view = page.locator('.session-view:not([hidden])', { hasText: 'Lab server' });
    await view.waitFor({ timeout: 15_000 });
    const term = view.locator('[data-testid="shell-pane"] .shell-terminal:not([hidden])');
    await screenShows(term, /[#$] *$/m);
    await term.click();
    await page.keyboard.type('echo jump-$((6*7))');
    await page.keyboard.press('Enter');
    await screenShows(term, /^jump-42 *$/m);
    t.pass('the command ran on the SSH host and its output reached the browser terminal');
    await view.locator('.event-line', { hasText: `Alice started a Shell Jump to ${SSH_TEST_USER}@127.0.0.1:${sshd.port}` }).waitFor();
    await view.locator('.event-line', { hasText: `trusted the host key ${sshd.fingerprint}` }).waitFor();
    t.ok(await view.locator('[data-testid="chat-no-customer"]').isVisible(), 'the chat says there is no customer');
    t.equal(await view.locator('[data-action="files-toggle"]').isVisible(), false, 'no file transfer for an SSH host');
    const keyBody = sshd.clientKey.split('\n')[1]!;
    t.notOk(received.some((f) => f.includes(keyBody)), 'the private key never came back to the browser');

    await view.locator('[data-action="end"]').click();
    await page.locator('[data-testid="end-dialog"] button[type="submit"]').click();
    for (let i = 0; i < 100 && !/Disconnected from user/.test(sshd.output()); i++) await page.waitForTimeout(50);
    t.match(sshd.output(), /Disconnected from user/, 'ending the session closed the SSH connection');
    await page.click('#nav-jump');
    t.match(await row.innerText(), /Shell Jump/, 'the item stays for the next jump');
  });

  await t.test('the admin stores a key in the vault; Alice jumps with it without ever seeing it; check-out shows and ends with the session', async (t) => {
    const adminCtx = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    const adminPage = await adminCtx.newPage();
    adminPage.on('pageerror', (err) => pageErrors.push(err.message));
    const adminReceived: string[] = [];
    adminPage.on('response', (r) => {
      if (r.url().includes('/api/')) r.text().then((b) => adminReceived.push(b), () => undefined);
    });
    await adminPage.goto(`${app.origin}/login`);
    await adminPage.fill('#login-username', 'admin');
    await adminPage.fill('#login-password', ADMIN_PASSWORD);
    await adminPage.press('#login-password', 'Enter');
    await adminPage.waitForURL(`${app.origin}/account`);
    await adminPage.click('[data-testid="nav-vault"]');
    await adminPage.waitForURL(`${app.origin}/admin/vault`);
    await adminPage.locator('#vault-table .empty-row').waitFor();
    await adminPage.fill('#vault-name', 'Lab key');
    await adminPage.fill('#vault-username', SSH_TEST_USER);
    await adminPage.selectOption('#vault-kind', 'private_key');
    await adminPage.fill('#vault-secret', sshd.clientKey);
    await adminPage.check(`#vault-user-${aliceId}`);
    await adminPage.fill('#vault-host', '127.0.0.1');
    await adminPage.click('#vault-submit');
    const vaultRow = adminPage.locator('#vault-table tr', { hasText: 'Lab key' });
    await vaultRow.waitFor();
    t.match(await vaultRow.innerText(), /Private key[\s\S]*••••[\s\S]*Alice[\s\S]*Available/, 'the secret shows as dots; nobody has it');

    await page.click('#nav-jump');
    const row = page.locator('#jump-table tr', { hasText: 'Lab server' });
    await row.locator('[data-action="jump"]').click();
    await page.locator('[data-testid="shell-jump-dialog"]').waitFor();
    await page.selectOption('#sj-auth', 'vault');
    t.match(await page.locator('#sj-credential').innerText(), new RegExp(`Lab key \\(${SSH_TEST_USER}\\)`));
    await page.locator('[data-testid="shell-jump-dialog"] button[type="submit"]').click();
    const view = page.locator('.session-view:not([hidden])', { hasText: 'Lab server' });
    await view.waitFor({ timeout: 15_000 });
    const term = view.locator('[data-testid="shell-pane"] .shell-terminal:not([hidden])');
    await screenShows(term, /[#$] *$/m);
    await term.click();
    await page.keyboard.type('echo vault-$((6*7))');
    await page.keyboard.press('Enter');
    await screenShows(term, /^vault-42 *$/m);
    t.pass('signed in with the vault key');
    await view.locator('.event-line', { hasText: 'signed in with the vault credential Lab key' }).waitFor();

    await adminPage.reload();
    await vaultRow.locator('[data-testid="checkout"]', { hasText: 'Alice' }).waitFor();
    t.pass('the admin page shows Alice has it checked out');
    await view.locator('[data-action="end"]').click();
    await page.locator('[data-testid="end-dialog"] button[type="submit"]').click();
    for (let i = 0; i < 50; i++) {
      await adminPage.reload();
      if (/Available/.test(await vaultRow.innerText())) break;
      await adminPage.waitForTimeout(100);
    }
    t.match(await vaultRow.innerText(), /Available/, 'checked in when the session ended');
    await adminPage.locator('#vault-log tr', { hasText: 'checked in' }).first().waitFor();

    // Jumped again, Alice checks it in herself from the Jump Items tab while the session runs (it stays open).
    await page.click('#nav-jump');
    await row.locator('[data-action="jump"]').click();
    await page.locator('[data-testid="shell-jump-dialog"]').waitFor();
    await page.selectOption('#sj-auth', 'vault');
    await page.locator('[data-testid="shell-jump-dialog"] button[type="submit"]').click();
    const again = page.locator('.session-view:not([hidden])', { hasText: 'Lab server' });
    await again.waitFor({ timeout: 15_000 });
    await page.click('#nav-jump');
    const mine = page.locator('#vault-mine tr', { hasText: 'Lab key' });
    await mine.locator('[data-testid="checkout"]', { hasText: 'Alice' }).waitFor();
    await mine.locator('[data-action="vault-checkin"]').click();
    await mine.locator('[data-testid="checkout"]', { hasText: 'Available' }).waitFor();
    t.equal(await mine.locator('[data-action="vault-checkin"]').isVisible(), false, 'nothing left to check in');
    await adminPage.reload();
    t.match(await vaultRow.innerText(), /Available/, 'the admin page agrees');

    const keyBody = sshd.clientKey.split('\n')[1]!;
    t.notOk(received.some((f) => f.includes(keyBody)), 'no WebSocket frame to the rep\'s browser held the key');
    t.notOk(adminReceived.some((b) => b.includes(keyBody)), 'no HTTP answer to the admin\'s browser held the key');
    await adminCtx.close();
  });

  await t.test('the SSH server\'s login question (keyboard-interactive) is answered in a console dialog', async (t) => {
    const kbd = await startSshd({ user: SSH_TEST_USER, kbdInteractive: true, password: true });
    t.teardown(() => kbd.stop());
    await page.click('#nav-jump');
    await page.click('[data-action="new-shell-jump"]');
    await page.fill('#sj-name', 'PAM box');
    await page.fill('#sj-host', '127.0.0.1');
    await page.fill('#sj-port', String(kbd.port));
    await page.fill('#sj-user', SSH_TEST_USER);
    await page.fill('#sj-fingerprint', kbd.fingerprint);
    await page.locator('[data-testid="shell-item-dialog"] button[type="submit"]').click();
    const row = page.locator('#jump-table tr', { hasText: 'PAM box' });
    await row.locator('[data-action="jump"]').click();
    await page.locator('[data-testid="shell-jump-dialog"]').waitFor();
    // This server takes no plain password method: the typed one is refused and the server asks instead.
    await page.fill('#sj-password', 'not-this-one');
    await page.locator('[data-testid="shell-jump-dialog"] button[type="submit"]').click();
    const ask = page.locator('[data-testid="ssh-prompt-dialog"]');
    await ask.waitFor({ timeout: 15_000 });
    t.match(await ask.innerText(), /password/i, 'the server\'s question is shown');
    t.equal(await ask.locator('input').getAttribute('type'), 'password', 'a hidden answer is typed hidden');
    await ask.locator('input').fill(kbd.password!);
    await ask.locator('button[type="submit"]').click();
    const view = page.locator('.session-view:not([hidden])', { hasText: 'PAM box' });
    await view.waitFor({ timeout: 15_000 });
    const term = view.locator('[data-testid="shell-pane"] .shell-terminal:not([hidden])');
    await screenShows(term, /[#$] *$/m);
    await term.click();
    await page.keyboard.type('echo pam-$((6*7))');
    await page.keyboard.press('Enter');
    await screenShows(term, /^pam-42 *$/m);
    t.pass('signed in by answering the question');
    t.notOk(received.some((f) => f.includes(kbd.password!)), 'the answer never came back to the browser');
    await view.locator('[data-action="end"]').click();
    await page.locator('[data-testid="end-dialog"] button[type="submit"]').click();
  });

  t.same(pageErrors, [], 'no page errors');
}
