/**
 * A real OpenSSH server for the Shell Jump tests: its own config, host key,
 * client key and authorized_keys in a temporary folder, listening on
 * 127.0.0.1 on a free port, started in the foreground and killed by its
 * process id. The machine's own sshd and /etc/ssh are never touched.
 *
 * Logins are as a dedicated user that scripts/install-deps.sh creates
 * (root only): `relaydesk-ssh-test`, or `relaydesk-ssh-ui` for the browser
 * test. Asked to, when running as
 * root, the helper gives that user a random password for this run
 * (password tests) and resets it to '*' (no password works) on stop. `sshdUnavailable()`
 * says why these tests must be skipped on this machine, or undefined.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSH_TEST_USER = 'relaydesk-ssh-test';
/** The browser test's own user, so its password never clashes with test/shell-jump.test.ts's. */
export const SSH_UI_USER = 'relaydesk-ssh-ui';
const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  readonly port: number;
  readonly dir: string;
  /** `SHA256:…` of the server's host key, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
  /** The OpenSSH private key whose public half is authorized. */
  readonly clientKey: string;
  /** The user's password for this run (root only; otherwise undefined). */
  readonly password: string | undefined;
  output(): string;
  stop(): Promise<void>;
}

export function sshdUnavailable(user = SSH_TEST_USER): string | undefined {
  if (!existsSync(SSHD)) return 'openssh-server is not installed (run scripts/install-deps.sh)';
  if (spawnSync('id', [user]).status !== 0) return `the test user ${user} does not exist (scripts/install-deps.sh creates it when run as root)`;
  if (process.getuid?.() !== 0) return 'sshd needs root to log users in';
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
}

/** Waits until the port accepts a connection and sends the SSH banner (bounded: 100 tries, 10 s). */
async function waitBanner(port: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + 10_000;
  for (let i = 0; i < 100 && Date.now() < until; i++) {
    if (child.exitCode !== null) throw new Error('sshd exited');
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
      s.setTimeout(1000, () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('sshd did not answer');
}

/**
 * `password`: give the user a random password for this run (root only). The password is the account's,
 * shared by every sshd: each test file that sets one has its own `user`.
 */
export async function startSshd(opts: { kbdInteractive?: boolean; password?: boolean; user?: string } = {}): Promise<TestSshd> {
  const user = opts.user ?? SSH_TEST_USER;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-sshd-'));
  chmodSync(dir, 0o755);
  keygen(path.join(dir, 'hostkey'));
  keygen(path.join(dir, 'client'));
  const authorized = path.join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(path.join(dir, 'client.pub')));
  chmodSync(authorized, 0o644);
  const fingerprint = execFileSync('ssh-keygen', ['-lf', path.join(dir, 'hostkey.pub')]).toString().split(' ')[1]!;
  let password: string | undefined;
  if (opts.password && process.getuid?.() === 0) {
    password = `pw-${randomBytes(12).toString('base64url')}`;
    execFileSync('chpasswd', [], { input: `${user}:${password}\n` });
  }
  mkdirSync('/run/sshd', { recursive: true });
  let lastErr: unknown;
  // A free port can be taken between the check and sshd's bind: three tries.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'hostkey')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'StrictModes no',
        'PubkeyAuthentication yes',
        `PasswordAuthentication ${opts.kbdInteractive ? 'no' : 'yes'}`,
        `KbdInteractiveAuthentication ${opts.kbdInteractive ? 'yes' : 'no'}`,
        `UsePAM ${opts.kbdInteractive ? 'yes' : 'no'}`,
        'PermitRootLogin no',
        `AllowUsers ${user}`,
        'PrintMotd no',
        'MaxAuthTries 6',
        '',
      ].join('\n'),
    );
    execFileSync(SSHD, ['-t', '-f', config]);
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitBanner(port, child);
    } catch (err) {
      lastErr = new Error(`${(err as Error).message}: ${out}`);
      child.kill('SIGTERM');
      await exited;
      continue;
    }
    return {
      port,
      dir,
      fingerprint,
      clientKey: readFileSync(path.join(dir, 'client'), 'utf8'),
      password,
      output: () => out,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        if (password) execFileSync('usermod', ['-p', '*', user]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastErr instanceof Error ? lastErr : new Error('sshd did not start');
}
