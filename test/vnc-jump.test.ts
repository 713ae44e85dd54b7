/**
 * Remote VNC (F13) end to end below the browser: the real appliance, a real
 * x11vnc serving a real Xvfb on 127.0.0.1 (test/helpers/vnc.ts), console
 * requests and screen-channel frames written by hand. Covers creating items
 * and the refusals of bad input (nothing stored), the permission, group and
 * policy rules, a jump with a typed password whose stream (decoded with
 * the real media core) shows the X display pixel for pixel, control input
 * reaching an xterm on that display, a wrong
 * password, a vault password (never in any console message), ending the
 * session closing the RFB connection, and a server that drops ending the
 * session and marking the item offline. Skipped with the reason when
 * Xvfb or x11vnc are missing. Needs `node scripts/build.mjs` first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_USER_PERMISSIONS } from '../common/permissions.ts';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, type ConsoleRep } from './helpers/customer.ts';
import { adminAgent, createTeam } from './helpers/rep.ts';
import { difference, ScreenViewer } from './helpers/screen-viewer.ts';
import { captureBgrx, startTigervnc, startX11vnc, tigervncUnavailable, vncUnavailable } from './helpers/vnc.ts';
import { startXvfb, until } from './helpers/xvfb.ts';

const why = vncUnavailable();
if (why) {
  t.test('Remote VNC against a real x11vnc', { skip: `needs Xvfb and x11vnc: ${why}` }, async () => undefined);
} else {
  await run();
}

/** Resolves with `p`, or rejects naming `what` after `ms`: no wait in this test is unbounded. */
function within<T>(p: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

async function run(): Promise<void> {
  const xs = await startXvfb(800, 500);
  t.teardown(() => xs.stop());
  xs.run('xsetroot', ['-solid', '#3366aa']);
  const vnc = await startX11vnc(xs.display, { password: 'vnc-pw-1' });
  t.teardown(() => vnc.stop());
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-vnc-test-'));
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  const app = await startAppliance({ dataDir });
  t.teardown(async () => {
    if (!t.passing()) t.comment(app.output().slice(-3000));
    await app.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(`${dataDir}.vault.key`, { force: true });
  });
  const admin = await adminAgent(app);
  const alice = await consoleRep(app, 'alice');
  const bob = await consoleRep(app, 'bob');
  const carol = await consoleRep(app, 'carol');
  const grant = async (rep: ConsoleRep, extra: Record<string, unknown>): Promise<void> => {
    const r = await admin.put(`/api/admin/users/${rep.id}/permissions`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [], ...extra });
    if (r.status !== 200) throw new Error(r.text);
  };
  await grant(alice, { shellJump: true, screen: 'control' });
  await grant(carol, { shellJump: true, screen: 'none' });
  const team = await createTeam(admin, 'Ops', [[alice.id, 'member'], [carol.id, 'member']]);
  const cookieOf = (rep: ConsoleRep): string => `__Host-rd_console=${rep.agent.cookies.get('__Host-rd_console')}`;
  const base = { name: 'Lab display', host: '127.0.0.1', port: vnc.port, group: 'personal', policyId: '' };
  const items = async (rep: ConsoleRep): Promise<any[]> => (await rep.request({ t: 'jump_list' })).items;

  async function openScreen(rep: ConsoleRep, sessionId: string): Promise<ScreenViewer> {
    const answer = await rep.request({ t: 'screen_open', sessionId });
    if (answer.t !== 'channel_ticket') throw new Error(JSON.stringify(answer));
    return ScreenViewer.open(app, answer.ticket, cookieOf(rep));
  }

  let itemId = '';
  t.test('items: created with a default port, bad input refused with codes and nothing stored', async (t) => {
    const noPort = await alice.request({ t: 'vnc_jump_save', name: 'Default port', host: 'vnc.example.com', group: 'personal', policyId: '' });
    t.equal(noPort.item.vnc.port, 5900, 'no port means 5900');
    t.equal(noPort.item.method, 'remote_vnc');
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...base, port: 0 }, 'VNC_BAD_TARGET'],
      [{ ...base, port: 65536 }, 'VNC_BAD_TARGET'],
      [{ ...base, host: 'two words' }, 'VNC_BAD_TARGET'],
      [{ ...base, host: '' }, 'VNC_BAD_TARGET'],
      [{ ...base, host: 'a'.repeat(300) }, 'VNC_BAD_TARGET'],
      [{ ...base, host: 'x'.repeat(5000) }, 'BAD_FIELD'],
      [{ ...base, name: 'n'.repeat(101) }, 'BAD_FIELD'],
      [{ ...base, group: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'QUEUE_UNKNOWN'],
    ];
    for (const [msg, code] of bad) t.equal((await alice.request({ t: 'vnc_jump_save', ...msg })).code, code, JSON.stringify(msg).slice(0, 80));
    t.equal((await bob.request({ t: 'vnc_jump_save', ...base })).code, 'SHELL_JUMP_NOT_ALLOWED', 'a rep without the permission creates nothing');
    t.same((await items(alice)).map((i) => i.name), ['Default port'], 'nothing else was stored');
    await alice.request({ t: 'jump_remove', itemId: noPort.item.id });
    const saved = await alice.request({ t: 'vnc_jump_save', ...base, group: team });
    t.equal(saved.t, 'jump_item', JSON.stringify(saved));
    itemId = saved.item.id;
    t.equal((await bob.request({ t: 'vnc_jump_start', itemId, password: 'vnc-pw-1' })).code, 'JUMP_UNKNOWN', 'not in the item\'s group');
    t.equal((await carol.request({ t: 'vnc_jump_start', itemId, password: 'vnc-pw-1' })).code, 'SCREEN_NO_PERMISSION', 'no screen permission');
    t.equal((await alice.request({ t: 'vnc_jump_start', itemId, password: 'x'.repeat(2000) })).code, 'BAD_FIELD', 'an absurd password');
    t.equal((await alice.request({ t: 'vnc_jump_start', itemId })).code, 'VNC_PASSWORD_NEEDED');
    t.equal((await alice.request({ t: 'vnc_jump_start', itemId, password: 'wrong-pw' })).code, 'VNC_AUTH_FAILED');
    t.equal((await alice.request({ t: 'jump_start', itemId })).code, 'BAD_FIELD', 'not a jump-client start');
  });

  t.test('a jump shows the display, takes input into an xterm, and ends', async (t) => {
    const started = await alice.request({ t: 'vnc_jump_start', itemId, password: 'vnc-pw-1' });
    t.equal(started.t, 'vnc_jump_started', JSON.stringify(started));
    const sessionId = started.sessionId;
    t.notOk(JSON.stringify(alice.socket.messages).includes('vnc-pw-1'), 'the password never comes back');
    const detail = await alice.request({ t: 'open_session', sessionId });
    t.match(detail.session, { kind: 'vnc', state: 'active', owner: { id: alice.id }, customerConnected: true, customer: { name: 'Lab display', hostname: '127.0.0.1' } });
    t.equal(detail.events.find((e: any) => e.kind === 'vnc_jump_started')?.params.target, `127.0.0.1:${vnc.port}`);
    t.equal((await alice.request({ t: 'shell_open', sessionId, cols: 80, rows: 24 })).code, 'CLIENT_UNSUPPORTED', 'no shell');
    t.equal((await alice.request({ t: 'jump_pin', sessionId, group: 'personal' })).code, 'CLIENT_UNSUPPORTED', 'nothing to pin');

    const v = await openScreen(alice, sessionId);
    t.teardown(() => v.close());
    await v.until(() => v.info?.width === 800 && v.frames.length > 0, 'the first frame');
    const matches = (): boolean => difference(v.pixels(), captureBgrx(xs.display).bgrx, 800).count === 0;
    await v.until(matches, 'the picture to equal the display');
    t.pass('the decoded stream equals an xwd capture of the display');

    // Colour modes and key frames on request, as for a customer's screen.
    const keysBefore = v.frames.filter((f) => f.key).length;
    v.send({ t: 'mode', mode: 'black-and-white' });
    await v.until(() => v.info?.mode === 'black-and-white' && v.frames.filter((f) => f.key).length > keysBefore, 'a black-and-white key frame');
    const bw = v.pixels();
    let grey = true;
    for (let i = 0; i < bw.length && grey; i += 4) grey = bw[i] === bw[i + 1] && bw[i + 1] === bw[i + 2];
    t.ok(grey, 'black and white: every decoded pixel is grey');
    const keys = v.frames.filter((f) => f.key).length;
    v.send({ t: 'refresh' });
    await v.until(() => v.frames.filter((f) => f.key).length > keys, 'a key frame on request');
    v.send({ t: 'mode', mode: 'full-colour' });
    await v.until(() => v.info?.mode === 'full-colour', 'full colour again');
    await v.until(matches, 'the picture to equal the display again');
    t.pass('a key frame on request; full colour equals the display again');

    const file = path.join(work, 'typed.txt');
    xs.spawnOn('xterm', ['-geometry', '80x12+100+100', '-bg', 'black', '-fg', 'white']);
    await until(() => { try { return xs.run('xdotool', ['search', '--class', 'xterm']).trim(); } catch { return ''; } }, 'the xterm');
    await v.until(matches, 'the xterm to show in the stream');
    v.send({ t: 'control', on: true });
    await v.until(() => v.lastText('control')?.state === 'granted', 'control');
    v.send({ t: 'pointer', x: 300, y: 160, buttons: 1 });
    v.send({ t: 'pointer', x: 300, y: 160, buttons: 0 });
    for (const ch of `echo vnc-$((6*7)) > ${file}`) {
      v.send({ t: 'key', keysym: ch.charCodeAt(0), down: true });
      v.send({ t: 'key', keysym: ch.charCodeAt(0), down: false });
    }
    v.send({ t: 'key', keysym: 0xff0d, down: true });
    v.send({ t: 'key', keysym: 0xff0d, down: false });
    const typed = await until(() => (existsSync(file) ? readFileSync(file, 'utf8') : ''), 'the typed command to write its file');
    t.equal(typed.trim(), 'vnc-42', 'keys typed in the console ran in the xterm');

    const before = app.output().length;
    t.equal((await alice.request({ t: 'end', sessionId })).t, 'ack');
    await within(v.closed, 'the screen channel to close');
    const established = (): string => execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${vnc.port} )`], { encoding: 'utf8' }).trim();
    await until(() => established() === '', 'the RFB connection to close');
    t.pass('ending the session closed the RFB connection');
    const report = await admin.get(`/api/reports/sessions/${sessionId}/text`);
    t.match(report.text, new RegExp(`Alice started Remote VNC to 127\\.0\\.0\\.1:${vnc.port}`), 'the report says who jumped where');
    t.match(report.text, /Remote VNC to 127\.0\.0\.1:\d+ ended/, 'and that it ended');
    t.notOk(app.output().slice(before).includes('vnc-pw-1'), 'the password is not logged');
  });

  t.test('a vault password is injected and never reaches the console', async (t) => {
    const cred = await admin.post('/api/admin/vault', { name: 'Lab VNC', username: 'vnc', kind: 'password', secret: 'vnc-pw-1', hostPattern: '127.0.0.1', userIds: [alice.id], teamIds: [] });
    t.equal(cred.status, 201, cred.text);
    const listed = await alice.request({ t: 'vault_list', itemId });
    t.ok(listed.credentials.some((c: any) => c.name === 'Lab VNC'), 'offered for this item');
    const started = await alice.request({ t: 'vnc_jump_start', itemId, credentialId: cred.json().credential.id });
    t.equal(started.t, 'vnc_jump_started', JSON.stringify(started));
    const v = await openScreen(alice, started.sessionId);
    await v.until(() => v.frames.length > 0, 'a frame through the vault login');
    const detail = await alice.request({ t: 'open_session', sessionId: started.sessionId });
    t.ok(detail.events.some((e: any) => e.kind === 'vault_injected'), 'the log says a vault credential was injected');
    t.notOk(JSON.stringify(alice.socket.messages).includes('vnc-pw-1'), 'the vault password is in no console message');
    await alice.request({ t: 'end', sessionId: started.sessionId });
    v.close();
  });

  t.test('the clipboard both ways through RFB cut text (TigerVNC keeps it in step with the X selections)', { skip: tigervncUnavailable() }, async (t) => {
    const tiger = await startTigervnc();
    t.teardown(() => tiger.stop());
    const env = { ...process.env, DISPLAY: tiger.display };
    const item = (await alice.request({ t: 'vnc_jump_save', name: 'Tiger', host: '127.0.0.1', port: tiger.port, group: 'personal', policyId: '' })).item;
    const started = await alice.request({ t: 'vnc_jump_start', itemId: item.id });
    t.equal(started.t, 'vnc_jump_started', JSON.stringify(started));
    const v = await openScreen(alice, started.sessionId);
    t.teardown(() => v.close());
    await v.until(() => v.frames.length > 0, 'a frame');
    v.send({ t: 'control', on: true });
    await v.until(() => v.lastText('control')?.state === 'granted', 'control');
    v.send({ t: 'clipboard_sync', on: true });
    v.send({ t: 'clipboard', text: 'from the rep: grüße ✓' });
    const xsel = (): string => {
      const r = spawnSync('xclip', ['-o', '-selection', 'clipboard'], { env, encoding: 'utf8', timeout: 3000 });
      return r.status === 0 ? r.stdout : '';
    };
    t.equal(await until(xsel, 'the rep\'s text in the X clipboard'), 'from the rep: grüße ?', 'ClientCutText: Latin-1, ? for the rest');
    spawnSync('bash', ['-c', 'printf "from X: café" | xclip -i -selection clipboard'], { env, timeout: 3000 });
    await v.until(() => v.texts.some((m) => m.t === 'clipboard' && m.text === 'from X: café'), 'the X clipboard at the viewer');
    t.pass('ServerCutText reached the rep holding control');
    await alice.request({ t: 'end', sessionId: started.sessionId });
    await alice.request({ t: 'jump_remove', itemId: item.id });
  });

  t.test('a jump outside the item\'s policy is refused', async (t) => {
    const other = (new Date().getUTCDay() + 3) % 7;
    const policy = (await admin.post('/api/admin/jump-policies', { name: 'Other day', timeZone: 'UTC', windows: [{ day: other, from: '00:00', to: '24:00' }] })).json().policy;
    const edited = await alice.request({ t: 'vnc_jump_save', ...base, group: team, itemId, policyId: policy.id });
    t.equal(edited.item.policyName, 'Other day');
    t.equal((await alice.request({ t: 'vnc_jump_start', itemId, password: 'vnc-pw-1' })).code, 'JUMP_POLICY');
    await alice.request({ t: 'vnc_jump_save', ...base, group: team, itemId, policyId: '' });
  });

  t.test('a server that drops ends the session and marks the item offline', async (t) => {
    const started = await alice.request({ t: 'vnc_jump_start', itemId, password: 'vnc-pw-1' });
    t.equal(started.t, 'vnc_jump_started');
    const v = await openScreen(alice, started.sessionId);
    await v.until(() => v.frames.length > 0, 'a frame');
    await within(vnc.stop(), 'x11vnc to stop');
    const gone = await alice.socket.next((m) => m.t === 'session' && m.session.id === started.sessionId && m.session.customerConnected === false, 10_000);
    t.ok(gone, 'the session shows the server gone');
    await within(v.closed, 'the screen channel to close');
    const detail = await alice.request({ t: 'open_session', sessionId: started.sessionId });
    t.ok(detail.events.some((e: any) => e.kind === 'vnc_jump_ended'), 'the log says Remote VNC ended');
    const item = (await items(alice)).find((i) => i.id === itemId);
    t.equal(item.online, false, 'the item is offline');
    // Nothing listens there now: a new jump fails as unreachable.
    const probe = await new Promise<boolean>((resolve) => {
      const s = connect(vnc.port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (!probe) t.equal((await alice.request({ t: 'vnc_jump_start', itemId, password: 'vnc-pw-1' })).code, 'VNC_CONNECT_FAILED');
    await alice.request({ t: 'end', sessionId: started.sessionId });
  });
}
