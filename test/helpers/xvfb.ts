/**
 * A private X server for tests: `Xvfb -displayfd` picks a free display and
 * says when it is ready (never a hard-coded number), `-noreset` keeps the
 * root colour when the last client leaves. Children started with `spawnOn`
 * get DISPLAY set and are killed with the server by `stop()`.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Xvfb normally is ready in well under a second; 15 s means it will not start. */
const READY_TIMEOUT_MS = 15_000;

export interface TestDisplay {
  /** e.g. ":3" */
  readonly display: string;
  readonly width: number;
  readonly height: number;
  /** Starts a program on this display; it is killed by stop(). */
  spawnOn(cmd: string, args: string[], opts?: { cwd?: string; env?: Record<string, string> }): ChildProcess;
  /** Runs a short program on this display and returns its stdout (throws on failure). */
  run(cmd: string, args: string[], input?: string): string;
  /** Like run, but without blocking this process (needed when the program talks to an X client in this process). */
  runAsync(cmd: string, args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export function xvfbAvailable(): boolean {
  return spawnSync('which', ['Xvfb']).status === 0;
}

export async function startXvfb(width = 1280, height = 800): Promise<TestDisplay> {
  const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb not ready in ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    let got = '';
    (server.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${got.trim()}`);
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${stderr}`));
    });
  });
  const children: ChildProcess[] = [];
  // A test process that dies without its teardown must not leave an X server (or its clients) behind.
  const reap = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  };
  process.once('exit', reap);
  const env = (extra?: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, DISPLAY: display, ...extra });
  return {
    display,
    width,
    height,
    spawnOn(cmd, args, opts = {}) {
      const child = spawn(cmd, args, { cwd: opts.cwd, env: env(opts.env), stdio: 'ignore' });
      children.push(child);
      return child;
    },
    run(cmd, args, input) {
      const r = spawnSync(cmd, args, { env: env(), input, encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
      return r.stdout;
    },
    runAsync(cmd, args) {
      return new Promise((resolve, reject) => {
        execFile(cmd, args, { env: env(), encoding: 'utf8', timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(stdout)));
      });
    },
    async stop() {
      process.removeListener('exit', reap);
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      if (server.exitCode === null && server.signalCode === null) {
        const gone = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await gone;
      }
    },
  };
}

/** Polls `fn` every 50 ms until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
