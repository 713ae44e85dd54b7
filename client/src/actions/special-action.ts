/**
 * Runs a special action the rep picked (F22 item 6) on this computer: asks
 * the customer first (ConsentPrompter; `--allow-all` / `--deny-all` answer in
 * advance), then runs the command with `/bin/sh -c`. An elevated action runs
 * directly when this client is root, else through `sudo -n` (never asks for
 * a password): when sudo is missing or wants a password, the run fails with
 * a clear message instead. Every run has a time limit; at the limit the
 * whole process group is killed. The result keeps the last 4 KiB of stdout
 * and stderr together (NUL bytes removed, no split character at the start).
 * Runs are handled one at a time, in the order they arrive.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { MAX_ACTION_OUTPUT_BYTES, SPECIAL_ACTION_TIMEOUT_MS, type SpecialActionOutcome } from '../../../common/special-actions.ts';
import type { ConsentPrompter } from '../ui/consent.ts';
import { clean } from '../ui/format.ts';

export interface SpecialActionRequest {
  readonly runId: string;
  readonly name: string;
  readonly command: string;
  readonly elevated: boolean;
  readonly rep: string;
}

export interface SpecialActionResult {
  readonly outcome: SpecialActionOutcome;
  /** The command's exit code, 128 + signal number when a signal ended it, -1 when it did not run or was stopped. */
  readonly exitCode: number;
  readonly output: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  /** The sudo program (injectable so tests can name one that is missing). */
  readonly sudo?: string;
  /** Whether this process already runs as root (then no sudo is needed). */
  readonly isRoot?: boolean;
}

/** Keeps the last `limit` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    let all = Buffer.concat(this.chunks);
    if (all.length > this.limit) all = all.subarray(all.length - this.limit);
    // A cut through a multi-byte character decodes as U+FFFD at the start: drop it.
    return all.toString('utf8').replace(/^\uFFFD+/, '').replaceAll('\u0000', '');
  }
}

function exec(file: string, args: string[], timeoutMs: number): Promise<SpecialActionResult> {
  return new Promise((resolve) => {
    const tail = new Tail(MAX_ACTION_OUTPUT_BYTES);
    let settled = false;
    let timedOut = false;
    const done = (r: SpecialActionResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    // Its own process group, so the time limit can stop everything it started.
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (b: Buffer) => tail.push(b));
    child.stderr.on('data', (b: Buffer) => tail.push(b));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => done({ outcome: 'failed', exitCode: -1, output: `Cannot start ${file}: ${err.code ?? err.message}` }));
    child.on('close', (code, signal) => {
      if (timedOut) return done({ outcome: 'timeout', exitCode: -1, output: `${tail.text()}\n[stopped after ${Math.round(timeoutMs / 1000)} s]`.slice(-MAX_ACTION_OUTPUT_BYTES) });
      const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : -1);
      done({ outcome: 'done', exitCode, output: tail.text() });
    });
  });
}

/** Runs `command` (elevated when asked) and reports how it ended. */
export async function runCommand(command: string, elevated: boolean, opts: RunOptions = {}): Promise<SpecialActionResult> {
  const timeoutMs = opts.timeoutMs ?? SPECIAL_ACTION_TIMEOUT_MS;
  const isRoot = opts.isRoot ?? process.getuid?.() === 0;
  if (!elevated || isRoot) return exec('/bin/sh', ['-c', command], timeoutMs);
  const sudo = opts.sudo ?? 'sudo';
  const probe = await exec(sudo, ['-n', 'true'], Math.min(timeoutMs, 10_000));
  if (probe.outcome === 'failed') return { outcome: 'failed', exitCode: -1, output: `Cannot run as administrator: sudo is not available on this computer (${probe.output}).` };
  if (probe.outcome !== 'done' || probe.exitCode !== 0) {
    return { outcome: 'failed', exitCode: -1, output: `Cannot run as administrator: sudo -n refused (it needs a password or this user may not use sudo). ${probe.output}`.trim() };
  }
  return exec(sudo, ['-n', '/bin/sh', '-c', command], timeoutMs);
}

/**
 * Handles `special_action` messages: consent, run, report through `reply`.
 * `say` shows progress to the customer.
 */
export class SpecialActionRunner {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly consent: Pick<ConsentPrompter, 'decide'>,
    private readonly reply: (msg: { t: 'special_action_result'; runId: string } & SpecialActionResult) => void,
    private readonly say: (text: string) => void,
    private readonly opts: RunOptions = {},
  ) {}

  handle(req: SpecialActionRequest): Promise<void> {
    this.queue = this.queue.then(() => this.one(req));
    return this.queue;
  }

  private async one(req: SpecialActionRequest): Promise<void> {
    const how = req.elevated ? ' as administrator' : '';
    const allowed = await this.consent.decide({ rep: req.rep, action: `run "${req.name}"${how}: ${req.command}` });
    if (!allowed) {
      this.reply({ t: 'special_action_result', runId: req.runId, outcome: 'refused', exitCode: -1, output: '' });
      return;
    }
    // Names come from the appliance: no control characters reach this terminal.
    const name = clean(req.name);
    this.say(`Running "${name}"…`);
    const result = await runCommand(req.command, req.elevated, this.opts);
    this.say(
      result.outcome === 'done'
        ? `"${name}" finished (exit code ${result.exitCode}).`
        : result.outcome === 'timeout'
          ? `"${name}" was stopped at its time limit.`
          : `"${name}" could not run: ${clean(result.output)}`,
    );
    this.reply({ t: 'special_action_result', runId: req.runId, ...result });
  }
}
