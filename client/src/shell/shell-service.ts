/**
 * The client's side of command shells (F23): answers the appliance's
 * `channel` requests of kind "shell". Each request is one new shell with its
 * own channel socket; several may run at once.
 *
 * The customer decides: the first shell of a session asks for consent
 * (ui/consent.ts; `--allow-all` / `--deny-all` answer in advance) and a yes
 * holds for the rest of the session, a no refuses this request only. A
 * refused or impossible shell (no pty on this platform) still opens its
 * channel, to say "unavailable" and why, so the console can show the reason.
 */
import type WebSocket from 'ws';
import { TERMINAL_LIMITS } from '../../../common/shell-protocol.ts';
import { loginShell, type ShellProgram } from './login-shell.ts';
import { loadPty, type PtyLoad } from './pty-loader.ts';
import { ShellSession } from './shell-session.ts';

/** What the appliance's channel request gives a handler (client/src/transport/channels.ts). */
export interface ShellChannelOpen {
  readonly channelId: string;
  readonly params: Record<string, unknown>;
  connect(): WebSocket;
}

export interface ShellServiceDeps {
  /** Resolves true when the customer allows `rep` to use a command shell. */
  consent(rep: string): Promise<boolean>;
  /** A line for the customer's terminal. */
  say(text: string): void;
  debug(text: string): void;
  /** Injectable for tests; defaults to the login shell and the real node-pty. */
  program?: () => ShellProgram;
  load?: () => Promise<PtyLoad>;
}

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

export class ShellService {
  private allowed = false;
  private readonly running = new Set<string>();

  constructor(private readonly deps: ShellServiceDeps) {}

  /** Shells running now. */
  get count(): number {
    return this.running.size;
  }

  async open(req: ShellChannelOpen): Promise<void> {
    const rep = typeof req.params.rep === 'string' && req.params.rep ? req.params.rep.slice(0, 100) : 'Your representative';
    const cols = clampInt(req.params.cols, TERMINAL_LIMITS.minCols, TERMINAL_LIMITS.maxCols, 80);
    const rows = clampInt(req.params.rows, TERMINAL_LIMITS.minRows, TERMINAL_LIMITS.maxRows, 24);
    if (!this.allowed) {
      this.allowed = await this.deps.consent(rep);
      if (!this.allowed) return this.refuse(req, 'the customer did not allow a command shell');
    }
    const loaded = await (this.deps.load ?? loadPty)();
    if (!loaded.ok) return this.refuse(req, loaded.reason);
    let program: ShellProgram;
    try {
      program = (this.deps.program ?? loginShell)();
    } catch (err) {
      return this.refuse(req, `no shell program: ${(err as Error).message}`);
    }
    this.running.add(req.channelId);
    this.deps.say(`${rep} opened a command shell on this computer (${program.file}).`);
    const session = new ShellSession(req.connect(), {
      ended: (how) => {
        if (!this.running.delete(req.channelId)) return;
        this.deps.say(`A command shell was closed (${how}); ${this.running.size} still open.`);
      },
      debug: this.deps.debug,
    });
    session.run(loaded.pty, program, cols, rows);
  }

  private refuse(req: ShellChannelOpen, reason: string): void {
    this.deps.say(`A command shell was not started: ${reason}.`);
    new ShellSession(req.connect(), { ended: () => undefined, debug: this.deps.debug }).refuse(reason);
  }
}
