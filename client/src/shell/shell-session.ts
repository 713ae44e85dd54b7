/**
 * One command shell on the customer's computer: a real pseudo-terminal
 * running the user's login shell, joined to one channel socket to the
 * appliance (wire format: common/shell-protocol.ts).
 *
 * Contract:
 * - pty output goes out as binary frames, unchanged; binary frames coming in
 *   are written to the pty as keystrokes; `resize` and `close` are obeyed.
 * - Flow control by credit (common/flow.ts): at most SHELL_WINDOW bytes of
 *   output go out unacknowledged; with the window full the pty is paused
 *   (the shell's writes block in the kernel) until the appliance's `ack`
 *   opens it again. So a `cat` of a huge file never piles up in this
 *   process, and the shell runs as fast as the slowest hop lets it.
 * - The shell's end is reported once (`exit`) and the socket closed; the
 *   socket's end (appliance gone, session over) kills the shell.
 */
import type WebSocket from 'ws';
import { SendWindow } from '../../../common/flow.ts';
import { SHELL_APPLIANCE_TO_CUSTOMER, SHELL_WINDOW, decodeShellControl, type ShellCustomerMessage } from '../../../common/shell-protocol.ts';
import type { ShellProgram } from './login-shell.ts';
import type { PtyModule } from './pty-loader.ts';

/** Output reads are joined into frames of up to 64 KiB (the channel's limit is 1 MiB). */
const FRAME_BYTES = 64 * 1024;
/** A shell still running 3 s after SIGHUP is killed. */
const KILL_AFTER_MS = 3000;
/** Normal closure. */
const CLOSE_NORMAL = 1000;

export interface ShellSessionEvents {
  /** The shell ended (or never started); for the customer's terminal and the bookkeeping. */
  ended(how: string): void;
  debug(text: string): void;
}

type Pty = ReturnType<PtyModule['spawn']>;

export class ShellSession {
  private pty: Pty | undefined;
  private readonly window = new SendWindow(SHELL_WINDOW);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushQueued = false;
  private paused = false;
  private done = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly events: ShellSessionEvents,
  ) {}

  /** Spawns `program` in a pty of `cols`×`rows` once the socket is open. */
  run(pty: PtyModule, program: ShellProgram, cols: number, rows: number): void {
    this.ws.on('open', () => {
      try {
        this.pty = pty.spawn(program.file, program.args, {
          name: program.env.TERM,
          cols,
          rows,
          cwd: program.cwd,
          env: program.env,
          // Buffers, not strings: a UTF-8 character split across reads stays intact end to end.
          encoding: null,
        });
      } catch (err) {
        this.refuse(`the shell could not be started: ${(err as Error).message}`);
        return;
      }
      const p = this.pty;
      this.send({ t: 'started', pid: p.pid, shell: program.file.slice(0, 200) });
      p.onData((data) => this.output(data as unknown as Buffer));
      p.onExit(({ exitCode, signal }) => this.exited(exitCode, signal ?? 0));
    });
    this.ws.on('message', (data, isBinary) => this.input(data as Buffer, isBinary));
    this.ws.on('close', () => this.socketClosed());
    this.ws.on('error', (err) => this.events.debug(`shell channel: ${err.message}`));
  }

  /** Answers the channel with "unavailable" and closes it; no shell runs. */
  refuse(reason: string): void {
    const send = (): void => {
      this.send({ t: 'unavailable', reason: reason.slice(0, 500) });
      this.finish(`unavailable: ${reason}`);
    };
    if (this.ws.readyState === this.ws.OPEN) send();
    else this.ws.once('open', send);
    this.ws.on('error', () => undefined);
  }

  /**
   * The pty hands over about 4 KiB per read; reads that arrive in the same
   * turn of the event loop leave as one frame (up to FRAME_BYTES), which
   * spares per-frame work on every hop without delaying a lone keystroke's
   * echo (it goes out at the end of the same turn).
   */
  private output(data: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.window.sent(data.length);
    if (this.pendingBytes >= FRAME_BYTES) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    if (!this.paused && this.window.available === 0) {
      this.paused = true;
      this.pty?.pause();
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pendingBytes === 0) return;
    const frame = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame, { binary: true });
  }

  private input(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.pty?.write(data);
      return;
    }
    let msg;
    try {
      msg = decodeShellControl(SHELL_APPLIANCE_TO_CUSTOMER, data.toString('utf8'));
    } catch (err) {
      this.events.debug(`shell channel: ignored ${(err as Error).message}`);
      return;
    }
    if (msg.t === 'resize') this.pty?.resize(msg.cols as number, msg.rows as number);
    else if (msg.t === 'close') this.kill();
    else if (msg.t === 'ack') {
      if (!this.window.acked(msg.total as number)) return this.events.debug('shell channel: impossible ack ignored');
      if (this.paused && this.window.available > 0) {
        this.paused = false;
        this.pty?.resume();
      }
    }
  }

  private kill(): void {
    // SIGHUP, as when a terminal window closes: shells and most programs end on it;
    // one that ignores it (`trap '' HUP`) gets SIGKILL after KILL_AFTER_MS.
    const p = this.pty;
    if (!p) return;
    try {
      p.kill('SIGHUP');
    } catch {
      return;
    }
    setTimeout(() => {
      if (this.pty !== p) return;
      try {
        p.kill('SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }, KILL_AFTER_MS).unref();
  }

  private exited(code: number, signal: number): void {
    this.flush();
    this.send({ t: 'exit', code, signal });
    this.pty = undefined;
    this.finish(signal ? `ended by signal ${signal}` : `exited with code ${code}`);
  }

  private socketClosed(): void {
    if (this.pty) {
      this.events.debug('shell channel closed; stopping its shell');
      this.kill();
    }
    this.finish('channel closed');
  }

  private finish(how: string): void {
    if (this.done) return;
    this.done = true;
    this.events.ended(how);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(CLOSE_NORMAL, 'shell ended');
  }

  private send(msg: ShellCustomerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }
}
