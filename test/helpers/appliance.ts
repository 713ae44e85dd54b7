/**
 * Starts the real appliance (the built `dist/appliance/main.mjs`) as a child
 * process on 127.0.0.1 with a free port and a temporary data folder, and
 * waits for its ready line. Used by every cross-part test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface RunningAppliance {
  readonly port: number;
  readonly origin: string;
  readonly dataDir: string;
  readonly caPem: string;
  readonly child: ChildProcess;
  /** Everything the process wrote, for assertions on logs. */
  output(): string;
  /** Sends `signal` and waits for exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes the data folder unless `keepData`. */
  stop(keepData?: boolean): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  /** Port to bind; 0 (default) picks a free one. */
  port?: number;
}

export async function startAppliance(opts: StartOptions = {}): Promise<RunningAppliance> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'relaydesk-test-'));
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', path.join(REPO_ROOT, 'dist', 'appliance', 'main.mjs'), '--data', dataDir, '--port', String(opts.port ?? 0), '--host', '127.0.0.1', ...(opts.args ?? [])],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, RELAYDESK_READY_LINE: '1', RELAYDESK_ADMIN_PASSWORD: ADMIN_PASSWORD, RELAYDESK_LOG_LEVEL: 'info', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`appliance did not start in 20 s:\n${out}`)), 20_000);
    const onData = (): void => {
      const m = /RELAYDESK_READY port=(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`appliance exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    dataDir,
    caPem: readFileSync(path.join(dataDir, 'certs', 'ca.cert.pem'), 'utf8'),
    child,
    output: () => out,
    kill,
    async stop(keepData = false) {
      await kill('SIGTERM');
      if (!keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
