/**
 * Test helpers for the customer client: download a build from the appliance
 * like a customer's browser would (trusting only the appliance CA), run it
 * as a child process with a bounded lifetime, and wait for lines in its
 * output; plus a signed-in rep with a console socket to drive the session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ADMIN_PASSWORD, type RunningAppliance } from './appliance.ts';
import { Agent } from './http.ts';
import { openSocket, type TestSocket } from './ws.ts';

/** No client run in a test lives longer than 30 s: a hung client fails the test instead of the suite. */
const CLIENT_LIFETIME_MS = 30_000;

export interface Download {
  readonly file: string;
  readonly bytes: Buffer;
  readonly status: number;
  readonly sha256Header: string | undefined;
}

/** GETs `urlPath` from the appliance and stores the body as `dir/name`. */
export function download(app: RunningAppliance, urlPath: string, dir: string, name = 'relaydesk-client.mjs'): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${app.origin}${urlPath}`, { ca: [app.caPem], servername: 'localhost', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const file = path.join(dir, name);
        writeFileSync(file, bytes);
        resolve({ file, bytes, status: res.statusCode ?? 0, sha256Header: res.headers['x-content-sha256'] as string | undefined });
      });
    });
    req.on('error', reject);
  });
}

export interface ClientRun {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  stdout(): string;
  /** Resolves when the output matches `pattern`; rejects after `timeoutMs` with the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Types a line on the client's stdin (a pipe, not a TTY); only with `typing`. */
  type(line: string): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs a downloaded build; with `typing`, stdin is a pipe the test can write lines to, else it is /dev/null. */
export function runClient(file: string, args: string[], opts: { typing?: boolean; env?: Record<string, string>; lifetimeMs?: number } = {}): ClientRun {
  const child = spawn(process.execPath, [file, ...args], { cwd: path.dirname(file), stdio: [opts.typing ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', ...opts.env } });
  let all = '';
  let out = '';
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((l) => l());
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), (all += d.toString()), notify()));
  child.stderr!.on('data', (d: Buffer) => ((all += d.toString()), notify()));
  const lifetime = setTimeout(() => child.kill('SIGKILL'), opts.lifetimeMs ?? CLIENT_LIFETIME_MS);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(lifetime);
      // Let the pipes drain so the last lines are in `output()`.
      setImmediate(() => (notify(), resolve({ code, signal })));
    }),
  );
  return {
    child,
    output: () => all,
    stdout: () => out,
    exited,
    type(line) {
      child.stdin!.write(`${line}\n`);
    },
    waitFor(pattern, timeoutMs = 10_000) {
      if (pattern.test(all)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(all)) done(undefined);
        };
        const timer = setTimeout(() => done(new Error(`client output never matched ${pattern} in ${timeoutMs} ms:\n${all}`)), timeoutMs);
        const done = (err: Error | undefined): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(check);
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface ConsoleRep {
  readonly id: string;
  readonly agent: Agent;
  readonly socket: TestSocket;
  /** Sends a console request with a fresh rid; resolves with its ack, error or session_detail. */
  request(msg: Record<string, unknown>): Promise<any>;
  /** A new session key in this rep's personal queue. */
  sessionKey(ttlMinutes?: number): Promise<{ shortKey: string; token: string }>;
}

let rid = 1;

/** Enables the web console (admin), creates `username` once, signs the rep in and opens the console socket. `password` defaults to `<username>-password`. */
export async function consoleRep(app: RunningAppliance, username: string, create = true, password = `${username}-password`): Promise<ConsoleRep> {
  if (create) {
    const admin = new Agent(app.origin, app.caPem);
    if ((await admin.signIn('admin', ADMIN_PASSWORD)).status !== 200) throw new Error('admin sign-in failed');
    await admin.put('/api/admin/settings/security', { allowWebConsole: true });
    const r = await admin.post('/api/admin/users', { username, displayName: username[0]!.toUpperCase() + username.slice(1), password: `${username}-password` });
    if (r.status !== 201) throw new Error(r.text);
  }
  const agent = new Agent(app.origin, app.caPem);
  const r = await agent.signIn(username, password, 'console');
  if (r.status !== 200) throw new Error(r.text);
  const socket = await openSocket(app.origin, app.caPem, '/ws/console', `__Host-rd_console=${agent.cookies.get('__Host-rd_console')}`);
  socket.send({ t: 'hello', v: 1 });
  const welcome = await socket.next((m) => m.t === 'welcome');
  return {
    id: welcome.user.id,
    agent,
    socket,
    async request(msg) {
      const id = rid++;
      socket.send({ ...msg, rid: id });
      return socket.next((m) => typeof m.rid === 'number' && m.rid === id);
    },
    async sessionKey(ttlMinutes = 10) {
      const k = await agent.post('/api/console/session-keys', { ttlMinutes });
      if (k.status !== 201 && k.status !== 200) throw new Error(k.text);
      return k.json();
    },
  };
}
