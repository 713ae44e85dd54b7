/**
 * The file view in Chromium against the real appliance and the real
 * customer client (its home in a temporary folder): open Files, see the
 * home volume's listing, make a folder, upload two files through the file
 * input, download one (to the browser's origin-private file system standing
 * in for the save picker, so the bytes really go through a writable file
 * stream), rename, delete with the confirmation that says it cannot be
 * undone; the transfers pane says "SHA-256 OK" for each; the disk shows
 * every change. Without the File System Access API a download is streamed
 * through the service worker into the browser's download manager. Files
 * dropped on the list are uploaded too. With allowed paths only those are
 * volumes and going above them is refused with the reason shown; a
 * click-to-chat customer's session says file transfer needs the client. Then the rep's permission narrows live: upload-only greys
 * out Download, none greys out the whole view with the reason.
 * Needs `node scripts/build.mjs` first.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { download, runClient } from './helpers/customer.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, createUser, joinCustomer } from './helpers/rep.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const admin = await adminAgent(app);
const aliceId = await createUser(admin, 'alice');
const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'relaydesk-browser-files-')));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const home = path.join(work, 'home');
mkdirSync(path.join(home, 'docs'), { recursive: true });
writeFileSync(path.join(home, 'docs', 'readme.txt'), 'already here');

const chromium = await launchTrusting(app.caPem);
t.teardown(() => chromium.close());
const context = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
// The save picker is a native dialog no test can click: stand in for it with the origin-private file system,
// which gives real FileSystemFileHandles with writable streams.
await context.addInitScript(() => {
  (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async (opts: { suggestedName: string }) =>
    (await navigator.storage.getDirectory()).getFileHandle(opts.suggestedName, { create: true });
});
const page = await context.newPage();
await page.goto(`${app.origin}/console`);
await page.fill('#login-username', 'alice');
await page.fill('#login-password', 'alice-password');
await page.click('#login-submit');
await page.locator('#link-state[data-state="online"]').waitFor();

const key = await page.evaluate(async () => {
  const me = await (await fetch('/api/console/me', { headers: { 'X-Requested-With': 'relaydesk' } })).json();
  const r = await fetch('/api/console/session-keys', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'relaydesk', 'X-CSRF-Token': me.csrf },
    body: JSON.stringify({ ttlMinutes: 10 }),
  });
  return (await r.json()).shortKey as string;
});
const build = await download(app, '/download/relaydesk-client.mjs', work);
const client = runClient(build.file, ['--key', key, '--name', 'Cora', '--keep'], { env: { HOME: home }, lifetimeMs: 240_000 });
t.teardown(() => client.kill());
await page.locator('.popup', { hasText: 'Cora' }).locator('[data-action="show"]').click();
await page.click('#accept-session');
const view = page.locator('.session-view:not([hidden])');
const files = view.locator('[data-testid="files-view"]');
const row = (name: string) => files.locator(`tr[data-name="${name}"]`);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

t.test('browse, new folder, upload two, download one, rename, delete: each shows and lands on disk', async (t) => {
  await view.locator('[data-action="files-toggle"]').click();
  await row('docs').waitFor();
  t.ok(await files.locator(`[data-testid="files-volumes"] [data-path="${home}"]`).count(), 'the home folder is among the volumes');
  t.ok(await files.locator(`[data-testid="files-crumbs"] [data-path="${home}"]`).count(), 'the breadcrumbs end at home');

  await files.locator('[data-action="files-mkdir"]').click();
  const mk = page.locator('[data-testid="files-mkdir-dialog"]');
  await mk.locator('input').fill('made');
  await mk.locator('button[type="submit"]').click();
  await row('made').waitFor();
  t.ok(existsSync(path.join(home, 'made')), 'the folder exists on the remote disk');

  const one = Buffer.from('first file\n'.repeat(1000));
  const two = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < two.length; i++) two[i] = (i * 131 + 7) & 0xff;
  await files.locator('[data-testid="files-input"]').setInputFiles([
    { name: 'one.txt', mimeType: 'text/plain', buffer: one },
    { name: 'two.bin', mimeType: 'application/octet-stream', buffer: two },
  ]);
  const pane = files.locator('[data-testid="transfers"]');
  for (const name of ['one.txt', 'two.bin']) {
    const line = pane.locator(`.transfer-line[data-direction="upload"][data-name="${name}"][data-state="done"]`);
    await line.waitFor();
    t.equal(await line.locator('[data-testid="transfer-outcome"]').textContent(), 'Done, SHA-256 OK', `${name}: checksum OK shown`);
  }
  t.equal(sha(readFileSync(path.join(home, 'one.txt'))), sha(one), 'one.txt arrived intact');
  t.equal(sha(readFileSync(path.join(home, 'two.bin'))), sha(two), 'two.bin (3 MB) arrived intact');
  await row('two.bin').waitFor();

  // The same names again: nothing is replaced without asking; "only the new ones" skips them, Replace overwrites.
  const newer = Buffer.from('second version\n');
  await files.locator('[data-testid="files-input"]').setInputFiles([
    { name: 'one.txt', mimeType: 'text/plain', buffer: newer },
    { name: 'three.txt', mimeType: 'text/plain', buffer: Buffer.from('three\n') },
  ]);
  const ask = page.locator('[data-testid="files-replace-dialog"]');
  t.match(await ask.textContent(), /1 of these files already exist here[\s\S]*one\.txt/);
  await ask.locator('[data-action="files-only-new"]').click();
  await pane.locator('.transfer-line[data-direction="upload"][data-name="three.txt"][data-state="done"]').waitFor();
  t.equal(sha(readFileSync(path.join(home, 'one.txt'))), sha(one), 'one.txt was left alone');
  await row('three.txt').waitFor();
  await files.locator('[data-testid="files-input"]').setInputFiles([{ name: 'one.txt', mimeType: 'text/plain', buffer: newer }]);
  await ask.locator('button.danger').click();
  await ask.waitFor({ state: 'detached' });
  const until = Date.now() + 10_000;
  while (readFileSync(path.join(home, 'one.txt'), 'utf8') !== newer.toString() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.equal(readFileSync(path.join(home, 'one.txt'), 'utf8'), newer.toString(), 'Replace overwrote it');
  writeFileSync(path.join(home, 'one.txt'), one);
  rmSync(path.join(home, 'three.txt'));
  await files.locator('[data-action="files-refresh"]').click();
  await row('three.txt').waitFor({ state: 'detached' });

  await row('two.bin').locator('[data-action="files-download-one"]').click();
  const dl = pane.locator('.transfer-line[data-direction="download"][data-name="two.bin"][data-state="done"]');
  await dl.waitFor();
  t.equal(await dl.locator('[data-testid="transfer-outcome"]').textContent(), 'Done, SHA-256 OK');
  const saved = await page.evaluate(async () => {
    const file = await (await (await navigator.storage.getDirectory()).getFileHandle('two.bin')).getFile();
    const bytes = new Uint8Array(await file.arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return { size: file.size, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
  });
  t.same(saved, { size: two.length, sha256: sha(two) }, 'the downloaded file in the browser has the same bytes');

  await row('one.txt').locator('[data-action="files-rename"]').click();
  const rn = page.locator('[data-testid="files-rename-dialog"]');
  await rn.locator('input').fill('renamed.txt');
  await rn.locator('button[type="submit"]').click();
  await row('renamed.txt').waitFor();
  t.notOk(existsSync(path.join(home, 'one.txt')));
  t.equal(readFileSync(path.join(home, 'renamed.txt'), 'utf8'), one.toString());

  await row('made').locator('input[type="checkbox"]').check();
  await row('renamed.txt').locator('input[type="checkbox"]').check();
  await files.locator('[data-action="files-delete"]').click();
  const del = page.locator('[data-testid="files-delete-dialog"]');
  t.match(await del.textContent(), /cannot be undone/, 'the confirmation says it is irreversible');
  await del.locator('button.danger').click();
  await row('made').waitFor({ state: 'detached' });
  t.equal(await row('renamed.txt').count(), 0);
  t.notOk(existsSync(path.join(home, 'made')), 'the folder is gone from the disk');
  t.notOk(existsSync(path.join(home, 'renamed.txt')), 'the file is gone from the disk');

  for (const text of ['created the folder', 'uploaded', 'downloaded', 'renamed', 'deleted']) {
    await view.locator('.event-line', { hasText: text }).first().waitFor();
  }
  t.pass('the event log shows each change');
});

t.test('without the File System Access API the download streams through a service worker to the download manager', async (t) => {
  await page.evaluate(() => {
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = undefined;
  });
  const pane = files.locator('[data-testid="transfers"]');
  const before = await pane.locator('.transfer-line[data-direction="download"][data-state="done"]').count();
  const streamed: string[] = [];
  page.on('request', (r) => /\/assets\/files-dl\//.test(r.url()) && streamed.push(r.url()));
  const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), row('two.bin').locator('[data-action="files-download-one"]').click()]);
  t.equal(saved.suggestedFilename(), 'two.bin');
  const file = await saved.path();
  await pane.locator('.transfer-line[data-direction="download"][data-state="done"]').nth(before).waitFor();
  t.equal(sha(readFileSync(file)), sha(readFileSync(path.join(home, 'two.bin'))), 'the saved file has the same bytes');
  t.equal(streamed.length, 1, 'the bytes came as a response of the download worker, not as a Blob');
});

t.test('a running download can be cancelled from the transfers pane', async (t) => {
  // 400 MB of zeros, sparse on disk: quick to make, long enough to still be running when Cancel is clicked.
  const big = path.join(home, 'large.bin');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 400 * 1024 * 1024);
  closeSync(fd);
  t.teardown(() => rmSync(big, { force: true }));
  await page.evaluate(() => {
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async (opts: { suggestedName: string }) =>
      (await navigator.storage.getDirectory()).getFileHandle(opts.suggestedName, { create: true });
  });
  await files.locator('[data-action="files-refresh"]').click();
  await row('large.bin').locator('[data-action="files-download-one"]').click();
  const line = files.locator('[data-testid="transfers"] .transfer-line[data-direction="download"][data-name="large.bin"]').first();
  await line.locator('progress[value]:not([value="0"])').waitFor();
  await line.locator('[data-action="transfer-cancel"]').click();
  await files.locator('[data-testid="transfers"] .transfer-line[data-name="large.bin"][data-state="cancelled"]').waitFor();
  t.equal(await line.locator('[data-testid="transfer-outcome"]').textContent(), 'Cancelled');
  t.ok(await line.locator('[data-action="transfer-cancel"]').isHidden(), 'no Cancel button once it ended');
  const kept = await page.evaluate(async () => {
    const file = await (await (await navigator.storage.getDirectory()).getFileHandle('large.bin', { create: true })).getFile();
    return file.size;
  });
  t.equal(kept, 0, 'the aborted file stream kept nothing');
});

t.test('drag and drop uploads several files at once', async (t) => {
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(['dropped one'], 'drop-a.txt'));
    d.items.add(new File(['dropped two'], 'drop-b.txt'));
    return d;
  });
  await files.locator('[data-testid="files-drop"]').dispatchEvent('drop', { dataTransfer: dt });
  await row('drop-a.txt').waitFor();
  await row('drop-b.txt').waitFor();
  t.equal(readFileSync(path.join(home, 'drop-a.txt'), 'utf8'), 'dropped one');
  t.equal(readFileSync(path.join(home, 'drop-b.txt'), 'utf8'), 'dropped two');
});

t.test('allowed paths: only they are volumes, and going above them is refused with the reason', async (t) => {
  const docs = path.join(home, 'docs');
  const r = await admin.put(`/api/admin/users/${aliceId}/permissions`, { screen: 'control', privacyScreen: false, specialActions: false, shell: false, fileTransfer: 'both', allowedPaths: [docs] });
  t.equal(r.status, 200);
  await row('readme.txt').waitFor();
  t.same(await files.locator('[data-testid="files-volumes"] [data-path]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))), [docs], 'the allowed folder is the only volume');
  await files.locator('[data-action="files-up"]').click();
  await page.locator('#console-notice', { hasText: 'outside the paths you are allowed to use' }).waitFor();
  t.ok(await row('readme.txt').count(), 'the view stays where it was');
  t.ok(existsSync(path.join(home, 'drop-a.txt')), 'nothing outside changed');
});

t.test('permissions narrow live: upload-only greys out Download, none greys out the view', async (t) => {
  const base = { screen: 'control', privacyScreen: false, specialActions: false, shell: false, allowedPaths: [] };
  let r = await admin.put(`/api/admin/users/${aliceId}/permissions`, { ...base, fileTransfer: 'upload' });
  t.equal(r.status, 200);
  await files.locator('[data-action="files-download"][title="Your permissions allow uploads only."]').waitFor();
  t.ok(await row('two.bin').locator('[data-action="files-download-one"]').isDisabled(), 'download of a file is greyed out');
  t.ok(await files.locator('[data-action="files-upload"]').isEnabled(), 'upload stays available');
  r = await admin.put(`/api/admin/users/${aliceId}/permissions`, { ...base, fileTransfer: 'none' });
  t.equal(r.status, 200);
  const reason = files.locator('[data-testid="files-unavailable"]:not([hidden])');
  await reason.waitFor();
  t.match(await reason.textContent(), /do not include file transfer/);
  t.ok(await files.locator('[data-action="files-upload"]').isDisabled(), 'upload is greyed out too');
});

t.test('a click-to-chat customer has no file transfer: the view says why', async (t) => {
  const base = { screen: 'control', privacyScreen: false, specialActions: false, shell: false, allowedPaths: [] };
  t.equal((await admin.put(`/api/admin/users/${aliceId}/permissions`, { ...base, fileTransfer: 'both' })).status, 200);
  const portal = new Agent(app.origin, app.caPem);
  const start = await portal.post('/api/portal/start', { mode: 'chat', repId: aliceId, name: 'Webby' });
  t.equal(start.status, 201, start.text);
  const web = await joinCustomer(app, { v: 1, token: start.json().token });
  t.teardown(() => web.socket.ws.close());
  await page.locator('.popup', { hasText: 'Webby' }).locator('[data-action="show"]').click();
  await page.click('#accept-session');
  const webView = page.locator('.session-view:not([hidden])', { hasText: 'Webby' });
  await webView.locator('[data-action="files-toggle"]').click();
  const reason = webView.locator('[data-testid="files-unavailable"]:not([hidden])');
  await reason.waitFor();
  t.match(await reason.textContent(), /joined from a browser/);
  t.ok(await webView.locator('[data-action="files-upload"]').isDisabled());
});
