/**
 * The command shell in real Chromium (F23), against the real appliance and
 * the real customer client with a real pty: Alice types in the console's
 * xterm.js terminal and sees the output; the pane's size reaches the shell
 * (`tput cols`); two tabs keep their own working folders; a page reload
 * reattaches both with their scrollback; `vi` and `top` draw and quit;
 * closing a recorded shell lists its recording, and the replay plays it;
 * a shell that exits says so in its tab;
 * without the shell permission the pane is greyed out with the reason.
 * No page may log a CSP violation (xterm.js's styles go through
 * web/src/console/xterm-styles.ts). Needs `node scripts/build.mjs` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Locator, Page } from 'playwright-core';
import { DEFAULT_USER_PERMISSIONS } from '../common/permissions.ts';
import { startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { download, runClient } from './helpers/customer.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, createUser } from './helpers/rep.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-browser-shell-'));
const app = await startAppliance();
t.teardown(async () => {
  if (!t.passing()) t.comment(app.output().slice(-3000));
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
const admin = await adminAgent(app);
const aliceId = await createUser(admin, 'alice');
if ((await admin.put('/api/admin/settings/recording', { recordShells: true })).status !== 200) throw new Error('recording setting refused');

const chromium = await launchTrusting(app.caPem);
t.teardown(() => chromium.close());
const { origin } = app;
const cspViolations: string[] = [];
const pageErrors: string[] = [];
const ctx = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
const page: Page = await ctx.newPage();
page.on('console', (msg) => {
  if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
});
page.on('pageerror', (err) => pageErrors.push(err.message));

await page.goto(`${origin}/console`);
await page.fill('#login-username', 'alice');
await page.fill('#login-password', 'alice-password');
await page.click('#login-submit');
await page.locator('#link-state[data-state="online"]').waitFor();

// A session key for Alice, made with her browser's sign-in.
const agent = new Agent(origin, app.caPem);
agent.cookies.set('__Host-rd_console', (await ctx.cookies(origin)).find((c) => c.name === '__Host-rd_console')!.value);
agent.csrf = await page.evaluate(async () => (await (await fetch('/api/console/me', { headers: { 'X-Requested-With': 'relaydesk' } })).json()).csrf);
const key = (await agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json().shortKey as string;
const dl = await download(app, '/download/relaydesk-client.mjs', work);
const client = runClient(dl.file, ['--key', key, '--name', 'Cora', '--keep', '--allow-all']);
t.teardown(() => client.kill());

const popup = page.locator('.popup', { hasText: 'Cora' });
await popup.locator('[data-action="show"]').click();
await page.click('#accept-session');
const view = page.locator('.session-view:not([hidden])');
await view.locator('h1', { hasText: 'Session with Cora' }).waitFor();

const pane = view.locator('[data-testid="shell-pane"]');
const screen = (): Locator => pane.locator('.shell-terminal:not([hidden])');

/** The visible terminal's text once `pattern` shows (bounded wait), for assertions. */
async function screenShows(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = (await screen().locator('.xterm-rows').innerText().catch(() => '')).replace(/\u00a0/g, ' ');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`the terminal never showed ${pattern}; it shows:\n${text}`);
}

/** Types a command line into the visible terminal. */
async function run(command: string): Promise<void> {
  await screen().click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

await t.test('type a command in the console shell and see its output', async (t) => {
  await view.locator('[data-action="shell-toggle"]').click();
  await pane.locator('[data-action="shell-new"]').click();
  await pane.locator('.shell-tab', { hasText: 'Shell 1' }).waitFor();
  await screenShows(/[#$] *$/m);
  await run('echo hello-$((6*7))');
  const text = await screenShows(/^hello-42 *$/m);
  t.match(text, /echo hello-\$\(\(6\*7\)\)/, 'the typed command is echoed');
  t.pass('the output came back from the real shell');
  await view.locator('.event-line[data-kind="shell_started"]', { hasText: 'Alice started using the command shell' }).waitFor();
});

await t.test('the pane size reaches the shell: tput cols follows a resize', async (t) => {
  const before = Number(await screen().getAttribute('data-cols'));
  await run('echo cols-before=$(tput cols)');
  await screenShows(new RegExp(`cols-before=${before}\\b`));
  await page.setViewportSize({ width: 1000, height: 800 });
  const until = Date.now() + 10_000;
  let after = before;
  while (after === before && Date.now() < until) {
    await page.waitForTimeout(100);
    after = Number(await screen().getAttribute('data-cols'));
  }
  t.ok(after < before, `the terminal narrowed with the pane (${before} → ${after} columns)`);
  await run('clear; echo cols-after=$(tput cols)');
  await screenShows(new RegExp(`cols-after=${after}\\b`));
  t.pass('tput cols in the shell equals the columns on screen');
});

await t.test('two tabs run independently', async (t) => {
  await pane.locator('[data-action="shell-new"]').click();
  await pane.locator('.shell-tab[aria-selected="true"]', { hasText: 'Shell 2' }).waitFor();
  await screenShows(/[#$] *$/m);
  await run('cd /tmp && echo where=$(pwd)');
  await screenShows(/^where=\/tmp *$/m);
  await pane.locator('.shell-tab', { hasText: 'Shell 1' }).click();
  await run('echo where=$(pwd)');
  const text = await screenShows(/^where=\/\S* *$/m);
  t.notMatch(text, /^where=\/tmp *$/m, 'the first shell did not move');
  await view.locator('.event-line[data-kind="shell_opened"]').waitFor();
});

await t.test('a reload reattaches both shells with their scrollback', async (t) => {
  await page.reload();
  await page.locator('#link-state[data-state="online"]').waitFor();
  await page.click('#sessions-button');
  await page.locator('.sessions-item', { hasText: 'Cora' }).click();
  await pane.locator('.shell-tab', { hasText: 'Shell 2' }).waitFor();
  await pane.locator('.shell-tab', { hasText: 'Shell 1' }).click();
  await screenShows(/^where=\//m);
  t.pass('Shell 1 came back with what it showed');
  await run('echo after-reload-$((2+3))');
  await screenShows(/^after-reload-5 *$/m);
  await pane.locator('.shell-tab', { hasText: 'Shell 2' }).click();
  await screenShows(/^where=\/tmp *$/m);
  t.pass('Shell 2 came back too');
});

await t.test('full-screen programs draw and quit cleanly', async (t) => {
  await run('vi');
  const vi = await screenShows(/^~ *\n~ *\n~/m);
  t.ok((vi.match(/^~/gm) ?? []).length >= 5, 'vi shows its ~ lines');
  await page.keyboard.type(':q!');
  await page.keyboard.press('Enter');
  await run('clear; echo after-vi-$((1+1))');
  await screenShows(/^after-vi-2 *$/m);
  await run('top');
  await screenShows(/Tasks:|load average/);
  t.pass('top draws its screen');
  await page.keyboard.press('q');
  await run('clear; echo after-top-$((1+2))');
  await screenShows(/^after-top-3 *$/m);
  t.pass('the prompt is back after each');
});

await t.test('a recorded shell, once closed, replays in the console', async (t) => {
  await pane.locator('.shell-tab-item', { hasText: 'Shell 2' }).locator('[data-action="shell-close"]').click();
  await pane.locator('.shell-tab', { hasText: 'Shell 2' }).waitFor({ state: 'detached' });
  await view.locator('.event-line[data-kind="shell_closed"]', { hasText: '1 still open' }).waitFor();
  const item = pane.locator('[data-testid="shell-recordings"] li', { hasText: 'Shell 2' });
  await pane.locator('summary', { hasText: 'Recorded shells' }).click();
  await item.waitFor();
  t.match(await item.locator('a').nth(1).getAttribute('href'), /\/shell-recordings\/[A-Za-z0-9_-]{22}\.txt$/);
  await item.locator('[data-action="shell-replay"]').click();
  const replay = page.locator('[data-testid="shell-replay"]');
  const until = Date.now() + 15_000;
  let text = '';
  while (Date.now() < until && !/where=\/tmp/.test(text)) {
    await page.waitForTimeout(200);
    text = await replay.locator('.xterm-rows').innerText();
  }
  t.match(text.replace(/\u00a0/g, ' '), /cd \/tmp && echo where=\$\(pwd\)/, 'the replay shows the typed command');
  t.match(text.replace(/\u00a0/g, ' '), /where=\/tmp/, 'and its output');
  await replay.locator('[data-action="replay-close"]').click();
  await replay.waitFor({ state: 'detached' });
});

await t.test('a shell that exits shows it in its tab', async (t) => {
  await pane.locator('.shell-tab', { hasText: 'Shell 1' }).click();
  await run('exit 3');
  await screenShows(/the shell ended with code 3/);
  await pane.locator('.shell-tab[data-state="exited"]', { hasText: 'Shell 1' }).waitFor();
  await view.locator('.event-line[data-kind="shell_stopped"]', { hasText: 'Alice stopped using the command shell' }).waitFor();
  t.pass('the tab stays, marked ended, with the exit code on screen');
});

await t.test('without the shell permission the pane is greyed out with the reason', async (t) => {
  const r = await admin.put(`/api/admin/users/${aliceId}/permissions`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [], shell: false });
  t.equal(r.status, 200);
  await pane.locator('[data-testid="shell-blocked"]', { hasText: 'not allowed to use the command shell' }).waitFor();
  t.equal(await pane.locator('[data-action="shell-new"]').getAttribute('aria-disabled'), 'true');
});

t.test('no CSP violations or page errors', async (t) => {
  t.same(cspViolations, []);
  t.same(pageErrors, []);
});
