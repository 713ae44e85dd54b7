/**
 * The customer's terminal, with plain `readline` and no framework. On a TTY
 * it keeps a `> ` prompt at the bottom and prints status and chat above it,
 * redrawing what the customer was typing; each typed line goes to the
 * line handler, unless a question (see `ask`) is waiting for an answer.
 * Without a TTY (a service, a test, stdin closed) it only prints lines to
 * stdout; lines arriving on a piped stdin still count as typed, and the end
 * of that input is not taken as leaving.
 */
import readline from 'node:readline';

export interface TerminalOptions {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream & { isTTY?: boolean };
  readonly errors: NodeJS.WritableStream;
}

export class Terminal {
  /** True when both ends are a TTY: prompt, redraw, Ctrl-C and Ctrl-D. */
  readonly interactive: boolean;
  private readonly rl: readline.Interface | undefined;
  private onLine: (line: string) => void = () => undefined;
  private onLeave: () => void = () => undefined;
  private question: ((answer: string | undefined) => void) | undefined;
  private closing = false;

  constructor(private readonly opts: TerminalOptions) {
    this.interactive = Boolean(opts.input.isTTY && opts.output.isTTY);
    try {
      this.rl = readline.createInterface({ input: opts.input, output: this.interactive ? opts.output : undefined, terminal: this.interactive, prompt: '> ' });
    } catch {
      // stdin closed entirely (fd 0 missing): print only.
      this.rl = undefined;
    }
    opts.input.on?.('error', () => undefined);
    this.rl?.on('line', (line) => this.typed(line));
    this.rl?.on('SIGINT', () => this.onLeave());
    this.rl?.on('close', () => {
      if (this.interactive && !this.closing) this.onLeave();
    });
  }

  /** Handlers for typed lines and for the customer leaving (Ctrl-C, Ctrl-D). */
  bind(onLine: (line: string) => void, onLeave: () => void): void {
    this.onLine = onLine;
    this.onLeave = onLeave;
    if (this.interactive) this.rl?.prompt();
  }

  /** Prints a line for the customer, above the prompt. */
  line(text: string): void {
    this.write(this.opts.output, text);
  }

  /** Prints a log line to stderr (ignored input, connection detail). */
  log(text: string): void {
    this.write(this.opts.errors, `[relaydesk] ${text}`);
  }

  /**
   * Asks a question; the next typed line is the answer. Resolves undefined
   * after `timeoutMs`, or at once without a TTY (nobody can answer).
   */
  ask(prompt: string, timeoutMs: number): Promise<string | undefined> {
    if (!this.interactive || !this.rl) return Promise.resolve(undefined);
    this.question?.(undefined);
    this.line(prompt);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (answer: string | undefined): void => {
        clearTimeout(timer);
        if (this.question === finish) this.question = undefined;
        resolve(answer);
      };
      this.question = finish;
    });
  }

  /** Removes the typed echo of a chat line that the appliance will echo back with time and author. */
  eraseTypedLine(): void {
    if (!this.interactive) return;
    readline.moveCursor(this.opts.output, 0, -1);
    readline.clearLine(this.opts.output, 0);
  }

  close(): void {
    this.closing = true;
    this.question?.(undefined);
    this.rl?.close();
  }

  private typed(line: string): void {
    if (this.question) return this.question(line);
    this.onLine(line);
    if (this.interactive) this.rl?.prompt();
  }

  private write(stream: NodeJS.WritableStream, text: string): void {
    if (this.interactive && this.rl) {
      readline.clearLine(this.opts.output, 0);
      readline.cursorTo(this.opts.output, 0);
      stream.write(`${text}\n`);
      this.rl.prompt(true);
    } else {
      stream.write(`${text}\n`);
    }
  }
}
