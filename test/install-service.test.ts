/**
 * The service installer (F35), staged under a temporary root (no users, no
 * systemd: those need a real host): it installs the built appliance with a
 * hardened unit; the appliance starts from the installed files exactly as
 * the unit says and keeps its data; running the installer again upgrades:
 * an online backup first, the old version kept for rollback, and the data
 * (a user made before) still there after the restart. Bad options change
 * nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ADMIN_PASSWORD, REPO_ROOT } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-install-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const script = path.join(REPO_ROOT, 'scripts', 'install-service.sh');

function install(...extra: string[]) {
  return spawnSync('bash', [script, '--root', root, '--node-modules-from', REPO_ROOT, '--names', 'localhost,127.0.0.1', '--port', '0', '--host', '127.0.0.1', '--no-build', ...extra], { encoding: 'utf8', timeout: 300_000 });
}

/** Starts the installed appliance the way the unit does (its ExecStart and Environment), under the staging root. */
async function startInstalled(): Promise<{ origin: string; caPem: string; stop: () => Promise<void> }> {
  const unit = readFileSync(path.join(root, 'etc/systemd/system/relaydesk.service'), 'utf8');
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=(\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
  // Paths in the unit are the host's; under the staging root they live below `root`.
  const args = exec.slice(1).map((a) => (a.startsWith('/opt/') ? path.join(root, a) : a));
  env.RELAYDESK_DATA = path.join(root, env.RELAYDESK_DATA!);
  const child = spawn(exec[0]!, args, { env: { ...process.env, ...env, NODE_OPTIONS: '', RELAYDESK_READY_LINE: '1', RELAYDESK_ADMIN_PASSWORD: ADMIN_PASSWORD, RELAYDESK_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 30_000);
    const on = (d: Buffer): void => {
      out += d.toString();
      const m = /RELAYDESK_READY port=(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  const caPem = readFileSync(path.join(env.RELAYDESK_DATA, 'certs', 'ca.cert.pem'), 'utf8');
  return {
    origin: `https://127.0.0.1:${port}`,
    caPem,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

t.test('bad options are refused before anything is written', async (t) => {
  const r = spawnSync('bash', [script, '--root', root, '--port', 'eighty'], { encoding: 'utf8' });
  t.equal(r.status, 2);
  t.match(r.stderr, /--port must be a number/);
  t.same(readdirSync(root), [], 'nothing was staged');
});

t.test('first install: files, a hardened unit, and an appliance that starts from them', async (t) => {
  const r = install();
  t.equal(r.status, 0, r.stderr + r.stdout);
  const unit = readFileSync(path.join(root, 'etc/systemd/system/relaydesk.service'), 'utf8');
  for (const line of ['User=relaydesk', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/relaydesk', 'Restart=always', 'AmbientCapabilities=CAP_NET_BIND_SERVICE', 'WantedBy=multi-user.target']) t.match(unit, line);
  t.ok(existsSync(path.join(root, 'opt/relaydesk/dist/appliance/main.mjs')));
  t.ok(existsSync(path.join(root, 'opt/relaydesk/dist/tools/backup.mjs')), 'operator tools come along');
  const app = await startInstalled();
  const admin = new Agent(app.origin, app.caPem);
  t.equal((await admin.signIn('admin', ADMIN_PASSWORD)).status, 200);
  t.equal((await admin.post('/api/admin/users', { username: 'kept', displayName: 'Kept', password: 'kept-password' })).status, 201);
  await app.stop();
});

t.test('upgrade: backup first, old version kept, data still there', async (t) => {
  const r = install();
  t.equal(r.status, 0, r.stderr + r.stdout);
  t.ok(existsSync(path.join(root, 'opt/relaydesk.previous/dist/appliance/main.mjs')), 'the old version stays for a rollback');
  const backups = readdirSync(path.join(root, 'var/lib/relaydesk-backups'));
  t.equal(backups.length, 1);
  t.match(backups[0], /^before-upgrade-\d{8}T\d{6}Z$/);
  const app = await startInstalled();
  const admin = new Agent(app.origin, app.caPem);
  await admin.signIn('admin', ADMIN_PASSWORD);
  const users = (await admin.get('/api/admin/users')).json().users.map((u: { username: string }) => u.username);
  t.ok(users.includes('kept'), 'the user made before the upgrade is still there');
  await app.stop();
});
