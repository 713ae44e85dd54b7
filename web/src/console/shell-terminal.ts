/**
 * One command shell on screen: an xterm.js terminal joined to the shell's
 * channel socket (wire format: common/shell-protocol.ts). Keystrokes leave as
 * binary frames; output arrives as binary frames and is written as is, so
 * colours and full-screen programs work. The terminal follows the size of
 * its pane (fit addon) and tells the shell (`resize`); a size set by another
 * viewer of the same shell (`size`) is adopted without answering it, so two
 * viewers never ping-pong. `reset` clears the screen before the recent
 * output is replayed (on attach, and after this viewer fell behind).
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { type ShellToConsole } from '../../../common/shell-protocol.ts';
import { t } from '../ui/i18n.ts';
import { installXtermStyleMirror } from './xterm-styles.ts';

export type ShellTermState = 'connecting' | 'running' | 'exited' | 'lost';

export interface ShellTerminalEvents {
  state(state: ShellTermState, detail?: string): void;
}

const encoder = new TextEncoder();

/** Colours in the console's palette; the 16 ANSI colours stay xterm's defaults. */
const THEME = { background: '#111418', foreground: '#e6e6e6', cursor: '#e6e6e6', selectionBackground: '#3a5a80' };

export class ShellTerminal {
  readonly el: HTMLElement;
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly resizeObserver: ResizeObserver;
  private ws: WebSocket | undefined;
  private adopting = false;
  private fitQueued = false;
  private stateNow: ShellTermState = 'connecting';

  constructor(private readonly events: ShellTerminalEvents) {
    this.el = document.createElement('div');
    this.el.className = 'shell-terminal';
    installXtermStyleMirror();
    this.term = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace', fontSize: 14, theme: THEME, scrollback: 5000, allowProposedApi: false });
    this.term.loadAddon(this.fit);
    this.term.open(this.el);
    this.term.onData((data) => this.sendBytes(encoder.encode(data)));
    this.term.onBinary((data) => this.sendBytes(new Uint8Array(Array.from(data, (c) => c.charCodeAt(0) & 0xff))));
    this.term.onResize(({ cols, rows }) => {
      // The size on the element too: what tests and assistive tooling can read.
      this.el.dataset.cols = String(cols);
      this.el.dataset.rows = String(rows);
      if (!this.adopting && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ t: 'resize', cols, rows }));
    });
    this.resizeObserver = new ResizeObserver(() => this.refit());
    this.resizeObserver.observe(this.el);
  }

  get state(): ShellTermState {
    return this.stateNow;
  }

  /** Joins the shell's channel socket (already opened with its ticket). */
  attach(ws: WebSocket): void {
    this.ws?.close();
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws) return;
      if (ev.data instanceof ArrayBuffer) this.term.write(new Uint8Array(ev.data));
      else this.control(String(ev.data));
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.stateNow !== 'exited') this.move('lost', ev.reason || String(ev.code));
    });
  }

  private control(text: string): void {
    let msg: ShellToConsole;
    try {
      msg = JSON.parse(text) as ShellToConsole;
    } catch {
      return;
    }
    switch (msg.t) {
      case 'hello':
        this.move('running');
        break;
      case 'reset':
        this.term.reset();
        this.adopt(msg.cols, msg.rows);
        // After the replay is written, claim this pane's size (the newest viewer's size wins).
        this.term.write(new Uint8Array(0), () => this.refit());
        break;
      case 'size':
        this.adopt(msg.cols, msg.rows);
        break;
      case 'exit':
        this.term.write(`\r\n\x1b[2m${msg.reason ? t('console.shell.unavailable', { reason: msg.reason }) : t('console.shell.exited', { code: msg.code })}\x1b[0m\r\n`);
        this.move('exited', msg.reason);
        break;
    }
  }

  private adopt(cols: number, rows: number): void {
    if (cols === this.term.cols && rows === this.term.rows) return;
    this.adopting = true;
    try {
      this.term.resize(cols, rows);
    } finally {
      this.adopting = false;
    }
  }

  private move(state: ShellTermState, detail?: string): void {
    this.stateNow = state;
    this.events.state(state, detail);
  }

  private sendBytes(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.stateNow === 'running' && this.ws?.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  /** Columns and rows that fit the pane now (for opening a new shell at the right size). */
  proposed(): { cols: number; rows: number } {
    const d = this.fit.proposeDimensions();
    return d && d.cols >= 2 && d.rows >= 1 ? { cols: d.cols, rows: d.rows } : { cols: this.term.cols, rows: this.term.rows };
  }

  /** Fits the terminal to its pane on the next frame (hidden panes are skipped). */
  refit(): void {
    if (this.fitQueued) return;
    this.fitQueued = true;
    requestAnimationFrame(() => {
      this.fitQueued = false;
      if (this.el.offsetParent !== null) this.fit.fit();
    });
  }

  focus(): void {
    this.term.focus();
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000);
    this.term.dispose();
    this.el.remove();
  }
}
