/**
 * The plain-text transcript of a shell: what a reader would have seen, line
 * by line, with escape sequences, colours, carriage-return redraws and
 * backspaces already applied. The output is fed into a headless xterm.js
 * terminal of the shell's size; each time a line is finished (a line feed in
 * the normal screen), that line's text (joined with its soft-wrapped parts)
 * goes to the sink. Full-screen programs (`vi`, `top`) draw on the alternate
 * screen and leave no lines; the command that started them and what the
 * shell printed after they quit do. `finish` adds the last, unfinished line
 * (usually the final prompt).
 *
 * Memory is one screen: the terminal keeps no scrollback of its own.
 */
import xtermHeadless from '@xterm/headless';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');

export class Transcript {
  private readonly term: InstanceType<typeof Terminal>;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    cols: number,
    rows: number,
    private readonly sink: (line: string) => void,
  ) {
    this.term = new Terminal({ cols, rows, scrollback: 0, allowProposedApi: true });
    this.term.onLineFeed(() => {
      const buf = this.term.buffer.active;
      if (buf.type !== 'normal') return;
      const y = buf.baseY + buf.cursorY - 1;
      if (y >= 0) this.sink(this.logicalLine(y));
    });
  }

  /** The text of the line ending at row `y`, with the rows it wrapped from. */
  private logicalLine(y: number): string {
    const buf = this.term.buffer.active;
    let start = y;
    while (start > 0 && buf.getLine(start)?.isWrapped) start--;
    let text = '';
    for (let i = start; i <= y; i++) text += buf.getLine(i)?.translateToString(i === y) ?? '';
    return text;
  }

  /** Feeds output (copied before returning; parsed in order). */
  write(data: Uint8Array): void {
    const copy = Uint8Array.from(data);
    this.queue = this.queue.then(() => new Promise<void>((resolve) => this.term.write(copy, resolve)));
  }

  resize(cols: number, rows: number): void {
    this.queue = this.queue.then(() => this.term.resize(cols, rows));
  }

  /** Waits for everything written, then emits the unfinished line if it has text. */
  async finish(): Promise<void> {
    await this.queue;
    const buf = this.term.buffer.normal;
    const y = buf.baseY + buf.cursorY;
    const last = this.logicalLine(y);
    if (last.trim()) this.sink(last.trimEnd());
    this.term.dispose();
  }
}
