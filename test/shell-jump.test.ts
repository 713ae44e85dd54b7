/**
 * Shell Jump (F13) end to end below the browser: the real appliance, a real
 * OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts, its own config and
 * host key), console requests written by hand. Covers creating items and
 * every refusal of bad input (nothing stored), the permission and group
 * rules, trust on first use of the host key (the first attempt sends
 * nothing and names the fingerprint), password and key logins with a real
 * command run through the shell relay, resize, a wrong password, a wrong
 * pinned host key (refused, nothing sent), a closed jump policy, shell
 * recording into the session's report, and ending the session closing the
 * SSH connection; the vault (F18): encrypted at rest under a key kept
 * outside the data folder, never returned, exclusive check-out shown to the
 * admin and checked in when the session ends; credential injection (F19)
 * from the vault and from an external provider module, with no secret in
 * any console message, HTTP answer or log; a keyboard-interactive (PAM)
 * login answered from the rep's console, and cancelled. Skipped with the reason when
 * sshd cannot run here.
 * Needs `node scripts/build.mjs` first.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { DEFAULT_USER_PERMISSIONS } from '../common/permissions.ts';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { consoleRep, type ConsoleRep } from './helpers/customer.ts';
import { adminAgent, createTeam } from './helpers/rep.ts';
import { SSH_TEST_USER, sshdUnavailable, startSshd } from './helpers/sshd.ts';

const why = sshdUnavailable();
if (why) {
  t.test('Shell Jump against a real sshd', { skip: `needs a real sshd: ${why}` }, async () => undefined);
} else {
  await run();
}

async function run(): Promise<void> {
  const sshd = await startSshd({ password: true });
  // Registered at once: an appliance that fails to start must not leave the sshd (and its password) behind.
  t.teardown(() => sshd.stop());
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-shelljump-test-'));
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  // An external credential provider (docs/VAULT.md) that knows one login: the test user's password.
  const providerFile = path.join(work, 'safe-provider.mjs');
  writeFileSync(
    providerFile,
    `export default async () => ({
  id: 'safe',
  async list(ctx) {
    return ctx.username === 'alice' ? [{ id: 'ssh-test', name: 'Safe login', username: process.env.SAFE_USER, kind: 'password', description: 'from the safe' }] : [];
  },
  async get(id, ctx) {
    if (id !== 'ssh-test' || ctx.username !== 'alice') throw Object.assign(new Error('not yours'), { code: 'VAULT_UNKNOWN' });
    return { username: process.env.SAFE_USER, password: process.env.SAFE_PASSWORD };
  },
});
`,
  );
  const app = await startAppliance({ dataDir, env: { RELAYDESK_VAULT_PROVIDER: providerFile, SAFE_USER: SSH_TEST_USER, SAFE_PASSWORD: sshd.password ?? '' } });
  t.teardown(async () => {
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
  await grant(alice, { shellJump: true });
  await grant(carol, { shellJump: true, shell: false });
  const team = await createTeam(admin, 'Ops', [[alice.id, 'member'], [carol.id, 'member']]);
  const cookieOf = (rep: ConsoleRep): string => `__Host-rd_console=${rep.agent.cookies.get('__Host-rd_console')}`;
  const base = { name: 'Build host', host: '127.0.0.1', port: sshd.port, username: SSH_TEST_USER, group: 'personal', policyId: '' };
  const items = async (rep: ConsoleRep): Promise<any[]> => (await rep.request({ t: 'jump_list' })).items;

  /** A viewer on a shell channel: collects output, types, waits. */
  async function viewer(rep: ConsoleRep, ticket: string) {
    const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${encodeURIComponent(ticket)}`, [], { ca: [app.caPem], headers: { cookie: cookieOf(rep), origin: app.origin } });
    let out = '';
    const controls: any[] = [];
    ws.on('message', (d, bin) => (bin ? (out += (d as Buffer).toString()) : controls.push(JSON.parse(String(d)))));
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
    const wait = async (check: () => boolean, what: string, ms = 10_000): Promise<void> => {
      for (let i = 0; i < ms / 50; i++) {
        if (check()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${what} never came; output:\n${out}\ncontrols: ${JSON.stringify(controls)}`);
    };
    return {
      ws,
      closed,
      text: () => out,
      controls,
      type: (s: string) => ws.send(Buffer.from(s)),
      until: (re: RegExp, ms?: number) => wait(() => re.test(out), String(re), ms),
      control: async (pred: (m: any) => boolean, ms?: number) => {
        await wait(() => controls.some(pred), 'control', ms);
        return controls.find(pred);
      },
    };
  }

  /** Attaches to the session's first shell (the jump opened it). */
  async function firstShell(rep: ConsoleRep, sessionId: string) {
    const list = await rep.request({ t: 'shell_list', sessionId });
    if (list.t !== 'shells' || list.shells.length === 0) throw new Error(JSON.stringify(list));
    const answer = await rep.request({ t: 'shell_attach', sessionId, shellId: list.shells[0].id });
    return { shellId: list.shells[0].id as string, v: await viewer(rep, answer.ticket) };
  }

  const sshdLogSince = (mark: number): string => sshd.output().slice(mark);

  t.test('bad input gets coded errors and stores nothing', async (t) => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ port: 0 }, 'SHELL_JUMP_BAD_TARGET'],
      [{ port: 65536 }, 'SHELL_JUMP_BAD_TARGET'],
      [{ port: 22.5 }, 'BAD_FIELD'],
      [{ host: 'my host' }, 'SHELL_JUMP_BAD_TARGET'],
      [{ host: '' }, 'SHELL_JUMP_BAD_TARGET'],
      [{ host: 'a'.repeat(300) }, 'SHELL_JUMP_BAD_TARGET'],
      [{ host: 'h'.repeat(5000) }, 'BAD_FIELD'],
      [{ host: 'x;rm -rf /' }, 'SHELL_JUMP_BAD_TARGET'],
      [{ username: 'root user' }, 'SHELL_JUMP_BAD_TARGET'],
      [{ username: 'u'.repeat(65) }, 'SHELL_JUMP_BAD_TARGET'],
      [{ fingerprint: 'MD5:aa:bb' }, 'SHELL_JUMP_BAD_TARGET'],
      [{ name: ' ' }, 'BAD_FIELD'],
      [{ name: 'n'.repeat(101) }, 'BAD_FIELD'],
      [{ group: 'A'.repeat(22) }, 'QUEUE_UNKNOWN'],
      [{ policyId: 'B'.repeat(22) }, 'UNKNOWN_ID'],
    ];
    for (const [change, code] of bad) t.equal((await alice.request({ t: 'shell_jump_save', ...base, ...change })).code, code, JSON.stringify(change).slice(0, 60));
    t.same(await items(alice), [], 'nothing was stored');
  });

  t.test('creating takes the permission; a personal item is its creator\'s alone', async (t) => {
    t.equal((await bob.request({ t: 'shell_jump_save', ...base })).code, 'SHELL_JUMP_NOT_ALLOWED', 'bob has no Shell Jump permission');
    const saved = await alice.request({ t: 'shell_jump_save', ...base });
    t.equal(saved.t, 'jump_item');
    t.match(saved.item, { method: 'shell_jump', name: 'Build host', online: true, ssh: { host: '127.0.0.1', port: sshd.port, username: SSH_TEST_USER, fingerprint: null }, canManage: true });
    t.same(await items(bob), [], 'bob does not see it');
    t.equal((await bob.request({ t: 'shell_jump_start', itemId: saved.item.id, cols: 80, rows: 24, password: 'x' })).code, 'JUMP_UNKNOWN', 'nor jump to it');
    t.equal((await bob.request({ t: 'shell_jump_save', ...base, itemId: saved.item.id, name: 'Mine now' })).code, 'JUMP_UNKNOWN', 'nor edit it');
    t.equal((await bob.request({ t: 'jump_remove', itemId: saved.item.id })).code, 'JUMP_UNKNOWN', 'nor remove it');
    t.equal((await items(alice))[0].name, 'Build host', 'unchanged');
  });

  let sessionId = '';
  t.test('first jump: the unknown host key is shown and nothing is sent; trusted, the password login runs a real shell', async (t) => {
    const item = (await items(alice))[0];
    const mark = sshd.output().length;
    const unknown = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: sshd.password });
    t.equal(unknown.code, 'SSH_HOSTKEY_UNKNOWN');
    t.equal(unknown.detail, sshd.fingerprint, 'the fingerprint ssh-keygen -lf prints');
    t.notMatch(sshdLogSince(mark), /password|Accepted|Failed|publickey/i, 'no authentication was attempted');
    t.same((await alice.request({ t: 'open_session', sessionId: 'x'.repeat(22) })).code, 'SESSION_UNKNOWN');

    const wrongTrust = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: sshd.password, trust: `SHA256:${'A'.repeat(43)}` });
    t.equal(wrongTrust.code, 'SSH_HOSTKEY_MISMATCH', 'trusting another fingerprint than the host shows is refused');

    const started = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: sshd.password, trust: sshd.fingerprint });
    t.equal(started.t, 'shell_jump_started', JSON.stringify(started));
    sessionId = started.sessionId;
    const pinned = (await items(alice))[0];
    t.equal(pinned.ssh.fingerprint, sshd.fingerprint, 'the trusted key is pinned to the item');
    t.ok(pinned.lastAccessed, 'last accessed is set');
    const detail = await alice.request({ t: 'open_session', sessionId });
    t.match(detail.session, { kind: 'ssh', state: 'active', owner: { id: alice.id }, customerConnected: true, customer: { name: 'Build host', hostname: '127.0.0.1', user: SSH_TEST_USER } });
    const kinds = detail.events.map((e: any) => e.kind);
    t.ok(kinds.includes('shell_jump_started') && kinds.includes('shell_jump_hostkey_trusted'), kinds.join(','));
    t.equal(detail.events.find((e: any) => e.kind === 'shell_jump_started').params.target, `${SSH_TEST_USER}@127.0.0.1:${sshd.port}`);
    t.notOk(JSON.stringify(alice.socket.messages).includes(sshd.password!), 'the password never comes back to the console');
    const { v } = await firstShell(alice, sessionId);
    v.type('echo jump-$((6*7)); whoami\r');
    await v.until(/jump-42/);
    await v.until(new RegExp(`^${SSH_TEST_USER}`, 'm'));
    t.pass('the command ran on the SSH host as the test user');
    v.ws.send(JSON.stringify({ t: 'resize', cols: 132, rows: 40 }));
    await new Promise((r) => setTimeout(r, 200));
    v.type('stty size\r');
    await v.until(/^40 132/m);
    t.pass('resize reached the SSH channel as a window-change');
  });

  t.test('a second tab is another channel on the same connection; exit shows in the tab', async (t) => {
    const opened = await alice.request({ t: 'shell_open', sessionId, cols: 80, rows: 24 });
    t.equal(opened.t, 'channel_ticket');
    const v = await viewer(alice, opened.ticket);
    v.type('echo second-$((7*6)); exit 3\r');
    await v.until(/second-42/);
    const exit = await v.control((m) => m.t === 'exit');
    t.equal(exit.code, 3, 'the exit code of the remote shell');
    t.equal((await alice.request({ t: 'shell_list', sessionId })).shells.length, 1, 'the first shell still runs');
  });

  t.test('bob, not a member, cannot open or attach to the session\'s shells', async (t) => {
    t.equal((await bob.request({ t: 'shell_open', sessionId, cols: 80, rows: 24 })).code, 'SESSION_UNKNOWN');
    t.equal((await bob.request({ t: 'files_open', sessionId })).code, 'SESSION_UNKNOWN');
    t.equal((await alice.request({ t: 'files_open', sessionId })).code, 'CLIENT_UNSUPPORTED', 'a Shell Jump has no file transfer');
  });

  t.test('ending the session closes the SSH connection', async (t) => {
    const { v } = await firstShell(alice, sessionId);
    t.equal((await alice.request({ t: 'end', sessionId })).t, 'ack');
    t.ok(await v.closed, 'the shell channel closed with the session');
    t.equal((await alice.request({ t: 'shell_list', sessionId })).code, 'SESSION_UNKNOWN', 'an ended session is gone from the console');
    for (let i = 0; i < 100 && !/Disconnected from user|Received disconnect/.test(sshd.output()); i++) await new Promise((r) => setTimeout(r, 50));
    t.match(sshd.output(), /Disconnected from user|Received disconnect/, 'sshd saw the client disconnect');
    const report = await admin.get(`/api/reports/sessions/${sessionId}/text`);
    t.match(report.text, new RegExp(`Alice started a Shell Jump to ${SSH_TEST_USER}@127\\.0\\.0\\.1:${sshd.port}`), 'the report says who jumped where');
    t.match(report.text, /The Shell Jump to .* ended/, 'and that it ended');
  });

  t.test('key login, and a team item seen and used by a teammate', async (t) => {
    const saved = await alice.request({ t: 'shell_jump_save', ...base, name: 'Team host', group: team, fingerprint: sshd.fingerprint });
    t.equal(saved.t, 'jump_item');
    t.equal(saved.item.ssh.fingerprint, sshd.fingerprint, 'a fingerprint given up front is pinned');
    t.ok((await items(carol)).some((i) => i.id === saved.item.id), 'carol (team) sees it');
    t.notOk((await items(bob)).some((i) => i.id === saved.item.id), 'bob does not');
    t.equal((await carol.request({ t: 'shell_jump_start', itemId: saved.item.id, cols: 80, rows: 24, privateKey: sshd.clientKey })).code, 'SHELL_NOT_ALLOWED', 'carol may not use shells');
    const started = await alice.request({ t: 'shell_jump_start', itemId: saved.item.id, cols: 100, rows: 30, privateKey: sshd.clientKey });
    t.equal(started.t, 'shell_jump_started', JSON.stringify(started));
    const { v } = await firstShell(alice, started.sessionId);
    v.type('echo key-$((6*7))\r');
    await v.until(/key-42/);
    t.pass('the private key login works');
    await alice.request({ t: 'end', sessionId: started.sessionId });
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: saved.item.id, cols: 80, rows: 24, privateKey: 'not a key' })).code, 'SSH_BAD_KEY');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: saved.item.id, cols: 80, rows: 24 })).code, 'SSH_NO_CREDENTIAL');
  });

  t.test('a passphrase-protected key: typed with its passphrase, or from the vault', async (t) => {
    const keyFile = path.join(work, 'locked-key');
    writeFileSync(keyFile, sshd.clientKey, { mode: 0o600 });
    execFileSync('ssh-keygen', ['-q', '-p', '-f', keyFile, '-P', '', '-N', 'key-passphrase-42']);
    const locked = readFileSync(keyFile, 'utf8');
    t.notOk(locked.includes(sshd.clientKey.split('\n')[1]!), 'the key is encrypted now');
    const item = (await items(alice)).find((i) => i.name === 'Team host');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, privateKey: locked })).code, 'SSH_BAD_KEY', 'without its passphrase');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, privateKey: locked, passphrase: 'wrong' })).code, 'SSH_BAD_KEY', 'with a wrong one');
    const typed = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, privateKey: locked, passphrase: 'key-passphrase-42' });
    t.equal(typed.t, 'shell_jump_started', JSON.stringify(typed));
    await alice.request({ t: 'end', sessionId: typed.sessionId });
    const cred = await admin.post('/api/admin/vault', { name: 'Locked key', username: SSH_TEST_USER, kind: 'private_key', secret: locked, passphrase: 'key-passphrase-42', userIds: [alice.id], teamIds: [] });
    t.equal(cred.status, 201);
    t.equal(cred.json().credential.hasPassphrase, true);
    t.notOk(cred.text.includes('key-passphrase-42'), 'the passphrase is not returned');
    const fromVault = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, credentialId: cred.json().credential.id });
    t.equal(fromVault.t, 'shell_jump_started', JSON.stringify(fromVault));
    const { v } = await firstShell(alice, fromVault.sessionId);
    v.type('echo locked-$((6*7))\r');
    await v.until(/locked-42/);
    await alice.request({ t: 'end', sessionId: fromVault.sessionId });
    const raw = readdirSync(path.join(dataDir, 'db')).map((f) => readFileSync(path.join(dataDir, 'db', f)));
    t.notOk(raw.some((b) => b.includes(Buffer.from('key-passphrase-42'))), 'the passphrase is not in the raw LMDB files');
    t.equal((await admin.del(`/api/admin/vault/${cred.json().credential.id}`)).status, 200);
  });

  t.test('a wrong password is refused', async (t) => {
    const item = (await items(alice)).find((i) => i.name === 'Build host');
    const r = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: 'wrong-password' });
    t.equal(r.code, 'SSH_AUTH_FAILED');
    t.notOk(JSON.stringify(r).includes('wrong-password'), 'the error does not echo the password');
    t.notOk(app.output().includes('wrong-password') || app.output().includes(sshd.password!), 'the appliance log holds no password');
  });

  t.test('a host key that differs from the pinned one is refused before anything is sent', async (t) => {
    const other = path.join(work, 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherFp = execFileSync('ssh-keygen', ['-lf', `${other}.pub`]).toString().split(' ')[1]!;
    const saved = await alice.request({ t: 'shell_jump_save', ...base, name: 'Pinned elsewhere', fingerprint: otherFp });
    const mark = sshd.output().length;
    const r = await alice.request({ t: 'shell_jump_start', itemId: saved.item.id, cols: 80, rows: 24, password: sshd.password });
    t.equal(r.code, 'SSH_HOSTKEY_MISMATCH');
    t.equal(r.detail, `expected ${otherFp}, got ${sshd.fingerprint}`, 'both fingerprints are named');
    t.notMatch(sshdLogSince(mark), /password|Accepted|Failed|publickey/i, 'no authentication was attempted');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: saved.item.id, cols: 80, rows: 24, password: sshd.password, trust: sshd.fingerprint })).code, 'SSH_HOSTKEY_MISMATCH', 'trust cannot replace a pinned key');
    await alice.request({ t: 'jump_remove', itemId: saved.item.id });
  });

  t.test('a jump outside the item\'s policy is refused with the next allowed time', async (t) => {
    const other = (new Date().getUTCDay() + 3) % 7;
    const policy = (await admin.post('/api/admin/jump-policies', { name: 'Other day', timeZone: 'UTC', windows: [{ day: other, from: '00:00', to: '24:00' }] })).json().policy;
    const item = (await items(alice)).find((i) => i.name === 'Build host');
    const edited = await alice.request({ t: 'shell_jump_save', ...base, itemId: item.id, policyId: policy.id });
    t.equal(edited.item.policyName, 'Other day');
    t.equal(edited.item.ssh.fingerprint, sshd.fingerprint, 'editing the policy keeps the pinned key');
    const r = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: sshd.password });
    t.equal(r.code, 'JUMP_POLICY');
    t.ok(Date.parse(r.detail) > Date.now(), 'the next allowed time');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: sshd.password, override: true })).code, 'JUMP_POLICY', 'only administrators may override');
    const boss = await consoleRep(app, 'admin', false, ADMIN_PASSWORD);
    const overridden = await boss.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: sshd.password, override: true });
    t.equal(overridden.t, 'shell_jump_started', 'an administrator jumps anyway');
    t.match(app.output(), /jump policy overridden by an administrator/, 'and the log says so');
    await boss.request({ t: 'end', sessionId: overridden.sessionId });
    boss.socket.ws.close();
    await alice.request({ t: 'shell_jump_save', ...base, itemId: item.id, policyId: '' });
  });

  t.test('with recording on, the Shell Jump\'s shell is recorded for the session report', async (t) => {
    t.equal((await admin.put('/api/admin/settings/recording', { recordShells: true })).status, 200);
    const item = (await items(alice)).find((i) => i.name === 'Build host');
    const started = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, password: sshd.password });
    t.equal(started.t, 'shell_jump_started');
    const { shellId, v } = await firstShell(alice, started.sessionId);
    v.type('echo rec-$((6*7))\r');
    await v.until(/rec-42/);
    await alice.request({ t: 'end', sessionId: started.sessionId });
    const recBase = `/api/console/sessions/${started.sessionId}/shell-recordings`;
    let list: any[] = [];
    for (let i = 0; i < 50; i++) {
      list = (await alice.agent.get(recBase)).json();
      if (list.some((r) => r.shellId === shellId && r.endedAt !== null)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(list.some((r) => r.shellId === shellId && r.endedAt !== null), 'the recording is complete');
    const text = await alice.agent.get(`${recBase}/${shellId}.txt`);
    t.match(text.text, /^rec-42$/m, 'the transcript holds the output');
    await admin.put('/api/admin/settings/recording', { recordShells: false });
  });

  // ─── Vault (F18) and credential injection (F19) ───────────────────────────

  const vaultBody = (extra: Record<string, unknown> = {}) => ({ name: 'Test login', username: SSH_TEST_USER, kind: 'password', secret: sshd.password, description: 'the test sshd', userIds: [alice.id], teamIds: [], hostPattern: '127.0.0.*', ...extra });
  let credId = '';
  let vaultItem = '';

  t.test('vault: bad input is refused and stores nothing; the secret is encrypted at rest under a key outside the data folder', async (t) => {
    for (const [change, status] of [
      [{ name: '' }, 400],
      [{ kind: 'certificate' }, 400],
      [{ secret: '' }, 400],
      [{ secret: 's'.repeat(20_000) }, 400],
      [{ username: 'two words' }, 400],
      [{ hostPattern: 'bad host' }, 400],
      [{ userIds: ['A'.repeat(22)] }, 404],
      [{ extra: 1 }, 400],
    ] as Array<[Record<string, unknown>, number]>) t.equal((await admin.post('/api/admin/vault', vaultBody(change))).status, status, JSON.stringify(change).slice(0, 50));
    t.same((await admin.get('/api/admin/vault')).json().credentials, [], 'nothing stored');
    t.equal((await alice.agent.get('/api/admin/vault')).status, 401, 'reps have no access to the admin API');
    const created = await admin.post('/api/admin/vault', vaultBody());
    t.equal(created.status, 201);
    credId = created.json().credential.id;
    const listed = await admin.get('/api/admin/vault');
    t.notOk(listed.text.includes(sshd.password!), 'the admin API never returns the secret');
    t.match(listed.json().credentials[0], { id: credId, name: 'Test login', kind: 'password', hasPassphrase: false, checkout: null });
    const keyFile = `${dataDir}.vault.key`;
    t.equal(statSync(keyFile).mode & 0o777, 0o600, 'the key file beside the data folder is 0600');
    const raw = readdirSync(path.join(dataDir, 'db')).map((f) => readFileSync(path.join(dataDir, 'db', f)));
    t.notOk(raw.some((b) => b.includes(Buffer.from(sshd.password!))), 'the raw LMDB files do not contain the secret');
    t.ok(raw.some((b) => b.includes(Buffer.from('Test login'))), 'while the credential itself is stored there');
  });

  t.test('vault: a rep picks a credential for an item and the appliance signs in with it; the secret never reaches the console', async (t) => {
    const saved = await alice.request({ t: 'shell_jump_save', ...base, name: 'Vault host', group: team, fingerprint: sshd.fingerprint });
    vaultItem = saved.item.id;
    const mine = await alice.request({ t: 'vault_list', itemId: vaultItem });
    t.same(mine.credentials.map((c: any) => c.id), [credId, 'safe:ssh-test'], 'alice may use it for this host (and the external provider offers its own)');
    t.match(mine.credentials[0], { name: 'Test login', username: SSH_TEST_USER, kind: 'password', checkedOutBy: null });
    t.notOk(JSON.stringify(mine).includes(sshd.password!));
    t.same((await carol.request({ t: 'vault_list', itemId: vaultItem })).credentials, [], 'carol is not among its users');
    await grant(carol, { shellJump: true, shell: true });
    t.equal((await carol.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: credId })).code, 'VAULT_UNKNOWN', 'nor can she use it by id');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: credId, password: 'x' })).code, 'BAD_FIELD', 'typed and vault credentials are not mixed');

    const started = await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: credId });
    t.equal(started.t, 'shell_jump_started', JSON.stringify(started));
    const { v } = await firstShell(alice, started.sessionId);
    v.type('echo vault-$((6*7)); whoami\r');
    await v.until(/vault-42/);
    await v.until(new RegExp(`^${SSH_TEST_USER}`, 'm'));
    t.pass('signed in with the vault credential');
    const page = await admin.get('/api/admin/vault');
    t.match(page.json().credentials[0].checkout, { userName: 'Alice', sessionId: started.sessionId }, 'the admin sees it checked out by Alice for that session');
    // Carol may use it too now, but Alice holds it: check-out is exclusive.
    await admin.put(`/api/admin/vault/${credId}`, vaultBody({ secret: '', userIds: [alice.id, carol.id] }));
    t.equal((await carol.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: credId })).code, 'VAULT_CHECKED_OUT', 'checked out by someone else');
    const detail = await alice.request({ t: 'open_session', sessionId: started.sessionId });
    const kinds = detail.events.map((e: any) => e.kind);
    t.ok(kinds.includes('vault_checked_out') && kinds.includes('vault_injected'), kinds.join(','));
    await alice.request({ t: 'end', sessionId: started.sessionId });
    const after = (await admin.get('/api/admin/vault')).json();
    t.equal(after.credentials[0].checkout, null, 'checked in when the session ended');
    const actions = after.log.map((e: any) => e.action);
    for (const a of ['created', 'checked_out', 'injected', 'updated', 'checked_in']) t.ok(actions.includes(a), `vault log: ${a}`);
    const report = await admin.get(`/api/reports/sessions/${started.sessionId}/text`);
    t.match(report.text, /Alice checked out the vault credential Test login/);
    t.match(report.text, /The vault credential Test login was checked in/);
    const everything = JSON.stringify(alice.socket.messages) + JSON.stringify(carol.socket.messages) + JSON.stringify(after) + report.text + app.output();
    t.notOk(everything.includes(sshd.password!), 'no console message, HTTP answer or log line holds the secret');
  });

  t.test('vault: a credential bound to other hosts is neither offered nor usable for this item; an admin checks in', async (t) => {
    const other = await admin.post('/api/admin/vault', vaultBody({ name: 'Other hosts', hostPattern: '*.example.com' }));
    const otherId = other.json().credential.id;
    t.notOk((await alice.request({ t: 'vault_list', itemId: vaultItem })).credentials.some((c: any) => c.id === otherId), 'not offered');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: otherId })).code, 'VAULT_NOT_FOR_ITEM');
    const started = await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: credId });
    t.equal(started.t, 'shell_jump_started');
    t.equal((await carol.request({ t: 'vault_checkin', credentialId: credId })).code, 'VAULT_UNKNOWN', 'only the holder or an admin checks in');
    t.equal((await admin.post(`/api/admin/vault/${credId}/checkin`, {})).status, 200);
    t.equal((await admin.get('/api/admin/vault')).json().credentials.find((c: any) => c.id === credId).checkout, null);
    await alice.request({ t: 'end', sessionId: started.sessionId });
    t.equal((await admin.del(`/api/admin/vault/${otherId}`)).status, 200);
  });

  t.test('vault: a wrong stored secret fails the login and checks the credential straight back in', async (t) => {
    t.equal((await admin.put(`/api/admin/vault/${credId}`, vaultBody({ secret: 'not-the-password' }))).status, 200);
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: credId })).code, 'SSH_AUTH_FAILED');
    t.equal((await admin.get('/api/admin/vault')).json().credentials.find((c: any) => c.id === credId).checkout, null);
  });

  t.test('an external credential provider plugged in by module injects its secret the same way', async (t) => {
    const mine = await alice.request({ t: 'vault_list', itemId: vaultItem });
    const ext = mine.credentials.find((c: any) => c.id === 'safe:ssh-test');
    t.ok(ext, 'the provider\'s credential is offered with its provider prefix');
    const started = await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: 'safe:ssh-test' });
    t.equal(started.t, 'shell_jump_started', JSON.stringify(started));
    const { v } = await firstShell(alice, started.sessionId);
    v.type('echo safe-$((6*7))\r');
    await v.until(/safe-42/);
    await alice.request({ t: 'end', sessionId: started.sessionId });
    t.ok((await admin.get('/api/admin/vault')).json().log.some((e: any) => e.name === 'safe:ssh-test' && e.action === 'injected'), 'its use is in the vault log');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: 'safe:refused' })).code, 'VAULT_UNKNOWN', 'a refusal by the provider');
    t.equal((await alice.request({ t: 'shell_jump_start', itemId: vaultItem, cols: 80, rows: 24, credentialId: 'other:x' })).code, 'VAULT_UNKNOWN', 'an unknown provider');
  });

  t.test('a keyboard-interactive login: the server\'s question goes to the rep\'s console and the answer signs in', async (t) => {
    const kbd = await startSshd({ kbdInteractive: true });
    t.teardown(() => kbd.stop());
    const saved = await alice.request({ t: 'shell_jump_save', ...base, port: kbd.port, name: 'PAM host', fingerprint: kbd.fingerprint });
    const asked = alice.socket.messages.length;
    // A typed password is tried as "password" (this server refuses that method); the server then asks.
    alice.socket.send({ t: 'shell_jump_start', rid: 900_001, itemId: saved.item.id, cols: 80, rows: 24, password: 'not-used-here' });
    const prompt = await alice.socket.next((m) => m.t === 'shell_jump_prompt' && alice.socket.messages.indexOf(m) >= asked, 10_000);
    t.match(prompt, { itemId: saved.item.id, prompts: [{ echo: false }] });
    t.match(prompt.prompts[0].prompt, /password/i);
    t.equal((await bob.request({ t: 'shell_jump_answer', promptId: prompt.promptId, answers: [sshd.password] })).code, 'SSH_PROMPT_UNKNOWN', 'another rep cannot answer it');
    t.equal((await alice.request({ t: 'shell_jump_answer', promptId: prompt.promptId, answers: [sshd.password] })).t, 'ack');
    const started = await alice.socket.next((m) => m.rid === 900_001, 15_000);
    t.equal(started.t, 'shell_jump_started', JSON.stringify(started));
    const { v } = await firstShell(alice, started.sessionId);
    v.type('echo pam-$((6*7))\r');
    await v.until(/pam-42/);
    await alice.request({ t: 'end', sessionId: started.sessionId });

    // Cancelling the question fails that login at once.
    alice.socket.send({ t: 'shell_jump_start', rid: 900_002, itemId: saved.item.id, cols: 80, rows: 24, password: 'not-used-here' });
    const again = await alice.socket.next((m) => m.t === 'shell_jump_prompt' && m.promptId !== prompt.promptId, 10_000);
    await alice.request({ t: 'shell_jump_answer', promptId: again.promptId, cancel: true });
    t.equal((await alice.socket.next((m) => m.rid === 900_002, 15_000)).code, 'SSH_AUTH_FAILED');
    await alice.request({ t: 'jump_remove', itemId: saved.item.id });
  });

  t.test('the server dropping the connection: the session shows the host offline and the log says the Shell Jump ended', async (t) => {
    const item = (await items(alice)).find((i) => i.name === 'Build host');
    const started = await alice.request({ t: 'shell_jump_start', itemId: item.id, cols: 80, rows: 24, privateKey: sshd.clientKey });
    t.equal(started.t, 'shell_jump_started');
    const { v } = await firstShell(alice, started.sessionId);
    // The shell's parent is this connection's sshd process: killing it drops the connection, not the server.
    v.type('kill -9 $PPID\r');
    const exit = await v.control((m) => m.t === 'exit');
    t.match(exit.reason ?? '', /SSH connection closed/, 'the tab says the connection closed');
    const gone = await alice.socket.next((m) => m.t === 'session' && m.session.id === started.sessionId && m.session.customerConnected === false, 10_000);
    t.ok(gone, 'the session shows the host disconnected');
    const detail = await alice.request({ t: 'open_session', sessionId: started.sessionId });
    t.ok(detail.events.some((e: any) => e.kind === 'shell_jump_ended'), 'the log says the Shell Jump ended');
    t.equal((await alice.request({ t: 'shell_open', sessionId: started.sessionId, cols: 80, rows: 24 })).code, 'CUSTOMER_OFFLINE', 'no new shell without a connection');
    t.equal((await alice.request({ t: 'end', sessionId: started.sessionId })).t, 'ack', 'the rep can still end it');
  });

  t.test('removing an item', async (t) => {
    const item = (await items(alice)).find((i) => i.name === 'Build host');
    t.equal((await alice.request({ t: 'jump_remove', itemId: item.id })).t, 'ack');
    t.notOk((await items(alice)).some((i) => i.id === item.id));
    // The store must not keep a typed password anywhere.
    const raw = readFileSync(path.join(dataDir, 'db', 'data.mdb'));
    t.notOk(raw.includes(Buffer.from(sshd.password!)), 'no typed password in the LMDB file');
  });
}
