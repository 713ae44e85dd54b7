/**
 * The customer's X CLIPBOARD selection as text, both ways, with the core
 * selection protocol (ICCCM §2): reading converts the selection to
 * UTF8_STRING on a private window; writing takes ownership and answers each
 * SelectionRequest (TARGETS, UTF8_STRING, STRING). `watch` reports new
 * clipboard text set by other programs (XFIXES selection-owner events).
 * Texts longer than MAX_CLIPBOARD are cut there.
 */
import { MAX_CLIPBOARD } from '../../../common/screen-protocol.ts';
import type { XConnection, XEvent } from './x-display.ts';

const ATOM_ATOM = 4;
const ATOM_STRING = 31;
/** A selection owner gets 2 s to answer a conversion. */
const CONVERT_TIMEOUT_MS = 2_000;

export class XClipboard {
  private win = 0;
  private atoms = { CLIPBOARD: 0, UTF8_STRING: 0, TARGETS: 0, PROP: 0 };
  private own: string | undefined;
  private offEvents: (() => void) | undefined;
  private waiting: ((ev: XEvent) => void) | undefined;
  private watcher: ((text: string) => void) | undefined;
  private reading: Promise<unknown> = Promise.resolve();

  constructor(private readonly conn: XConnection) {}

  async init(): Promise<void> {
    const X = this.conn.X;
    this.win = X.AllocID();
    X.CreateWindow(this.win, this.conn.root, 0, 0, 1, 1, 0, 0, 0, 0, {});
    for (const name of ['CLIPBOARD', 'UTF8_STRING', 'TARGETS'] as const) this.atoms[name] = await this.conn.atom(name);
    this.atoms.PROP = await this.conn.atom('RELAYDESK_CLIPBOARD');
    this.offEvents = this.conn.onEvent((ev) => this.onEvent(ev));
  }

  private onEvent(ev: XEvent): void {
    if (ev.name === 'SelectionRequest' && ev.owner === this.win) return this.answer(ev);
    if (ev.name === 'SelectionClear' && ev.owner === this.win) {
      this.own = undefined;
      return;
    }
    if (ev.name === 'SelectionNotify' && ev.requestor === this.win && this.waiting) return this.waiting(ev);
    // XFIXES selection-owner change (its events carry `owner` and `subtype`).
    if (ev.name === 'SelectionNotify' && 'subtype' in ev && ev.selection === this.atoms.CLIPBOARD && ev.owner !== this.win && ev.owner !== 0 && this.watcher) {
      const fn = this.watcher;
      void this.read().then((text) => fn(text), () => undefined);
    }
  }

  private answer(ev: XEvent): void {
    const X = this.conn.X;
    const requestor = ev.requestor as number;
    const target = ev.target as number;
    let property = (ev.property as number) || target;
    if (this.own === undefined || ev.selection !== this.atoms.CLIPBOARD) property = 0;
    else if (target === this.atoms.TARGETS) {
      const list = Buffer.alloc(12);
      [this.atoms.TARGETS, this.atoms.UTF8_STRING, ATOM_STRING].forEach((a, i) => list.writeUInt32LE(a, i * 4));
      X.ChangeProperty(0, requestor, property, ATOM_ATOM, 32, list);
    } else if (target === this.atoms.UTF8_STRING || target === ATOM_STRING) {
      X.ChangeProperty(0, requestor, property, target, 8, Buffer.from(this.own, target === ATOM_STRING ? 'latin1' : 'utf8'));
    } else property = 0;
    X.SendEvent(requestor, 0, 0, { name: 'SelectionNotify', type: 31, seq: 0, time: ev.time, requestor, selection: ev.selection, target, property });
  }

  /** Current clipboard text ('' when empty or not text). Reads run one at a time (one property, one waiter). */
  read(): Promise<string> {
    const next = this.reading.then(() => this.readNow());
    this.reading = next.catch(() => '');
    return next;
  }

  private async readNow(): Promise<string> {
    if (this.own !== undefined) return this.own;
    const X = this.conn.X;
    const owner = await this.conn.call<number>((cb) => X.GetSelectionOwner(this.atoms.CLIPBOARD, cb));
    if (!owner) return '';
    const notify = new Promise<XEvent | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(undefined);
      }, CONVERT_TIMEOUT_MS);
      this.waiting = (ev) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(ev);
      };
    });
    X.ConvertSelection(this.win, this.atoms.CLIPBOARD, this.atoms.UTF8_STRING, this.atoms.PROP, 0);
    const ev = await notify;
    if (!ev || !ev.property) return '';
    const prop = await this.conn.call<{ data: Buffer }>((cb) => X.GetProperty(1, this.win, this.atoms.PROP, 0, 0, Math.ceil((MAX_CLIPBOARD * 4) / 4), cb));
    return prop.data.toString('utf8').slice(0, MAX_CLIPBOARD);
  }

  /** Makes `text` the clipboard content (this connection owns it until another program takes it). */
  write(text: string): void {
    this.own = text.slice(0, MAX_CLIPBOARD);
    this.conn.X.SetSelectionOwner(this.win, this.atoms.CLIPBOARD, 0);
  }

  /** Calls `fn` with the text each time another program sets the clipboard; undefined stops. */
  async watch(fn: ((text: string) => void) | undefined): Promise<void> {
    this.watcher = fn;
    const fixes = await this.conn.ext('fixes');
    fixes.SelectSelectionInput(this.win, this.atoms.CLIPBOARD, fn ? 1 : 0);
  }

  dispose(): void {
    this.offEvents?.();
    this.watcher = undefined;
    if (this.win) this.conn.X.DestroyWindow(this.win);
    this.win = 0;
  }
}
