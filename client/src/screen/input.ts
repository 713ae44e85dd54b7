/**
 * Injects the rep's input with XTEST: absolute pointer moves, buttons, wheel
 * steps and keys given as X keysyms. Keysyms map to keycodes through the
 * server's keyboard mapping (column 0 plain, 1 with Shift); Shift is pressed
 * or released around a key when the rep's current Shift state would produce
 * the wrong symbol (the rep's layout decided the symbol, not the key). A
 * keysym that no key produces is bound to a spare keycode for the moment.
 * Everything still held is released by `releaseAll` (control ends, focus
 * lost), so no key stays stuck on the customer's side.
 */
import type { InputMessage } from '../../../common/screen-protocol.ts';
import type { XConnection } from './x-display.ts';

const XK_SHIFT_L = 0xffe1;
const XK_SHIFT_R = 0xffe2;
const XK_CONTROL_L = 0xffe3;
const XK_ALT_L = 0xffe9;
const XK_DELETE = 0xffff;
/** X buttons for wheel steps: 4 up, 5 down, 6 left, 7 right. */
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;
/** Mask bits of `pointer.buttons` → X button numbers. */
const BUTTON_BITS: ReadonlyArray<readonly [number, number]> = [[1, 1], [2, 2], [4, 3], [8, 8], [16, 9]];

interface KeyPlace {
  keycode: number;
  shift: boolean;
}

export class InputInjector {
  private xtest: any;
  private map = new Map<number, KeyPlace>();
  private spare: number[] = [];
  private perKeycode = 0;
  private readonly held = new Map<number, number>(); // keysym → keycode pressed
  private buttons = 0;

  /** Offset of the shared monitor on the root window. */
  constructor(private readonly conn: XConnection, private readonly origin: () => { x: number; y: number }) {}

  async init(): Promise<void> {
    this.xtest = await this.conn.ext('xtest');
    await this.loadMapping();
  }

  private async loadMapping(): Promise<void> {
    const { min_keycode: min, max_keycode: max } = this.conn.display;
    const rows = await this.conn.call<number[][]>((cb) => this.conn.X.GetKeyboardMapping(min, max - min + 1, cb));
    this.map.clear();
    this.spare = [];
    this.perKeycode = rows[0]?.length ?? 2;
    rows.forEach((syms, i) => {
      const keycode = min + i;
      if (syms.every((s) => s === 0)) this.spare.push(keycode);
      for (const col of [0, 1]) {
        const s = syms[col];
        if (s && !this.map.has(s)) this.map.set(s, { keycode, shift: col === 1 });
      }
    });
  }

  /** Wraps each injected event (the privacy screen lets it past its grab). */
  gate: (inject: () => void) => void = (inject) => inject();

  private fake(type: number, detail: number, x = 0, y = 0): void {
    this.gate(() => this.xtest.FakeInput(type, detail, 0, this.conn.root, x, y));
  }

  private shiftDown(): boolean {
    return this.held.has(XK_SHIFT_L) || this.held.has(XK_SHIFT_R);
  }

  /** Keycode for a keysym, binding a spare keycode when no key has it. */
  private async place(keysym: number): Promise<KeyPlace | undefined> {
    const known = this.map.get(keysym);
    if (known) return known;
    const keycode = this.spare.pop();
    if (keycode === undefined) return undefined;
    const syms = new Array<number>(this.perKeycode).fill(0);
    syms[0] = keysym;
    if (this.perKeycode > 1) syms[1] = keysym;
    this.conn.X.ChangeKeyboardMapping(keycode, this.perKeycode, syms);
    await this.conn.sync();
    const place = { keycode, shift: false };
    this.map.set(keysym, place);
    return place;
  }

  async handle(msg: InputMessage): Promise<void> {
    const X = this.xtest;
    switch (msg.t) {
      case 'pointer': {
        const m = msg as InputMessage<'pointer'>;
        const o = this.origin();
        this.fake(X.MotionNotify, 0, o.x + m.x, o.y + m.y);
        for (const [bit, button] of BUTTON_BITS) {
          const was = (this.buttons & bit) !== 0;
          const now = (m.buttons & bit) !== 0;
          if (was !== now) this.fake(now ? X.ButtonPress : X.ButtonRelease, button);
        }
        this.buttons = m.buttons;
        return;
      }
      case 'wheel': {
        const m = msg as InputMessage<'wheel'>;
        const click = (button: number, n: number): void => {
          for (let i = 0; i < n; i++) {
            this.fake(X.ButtonPress, button);
            this.fake(X.ButtonRelease, button);
          }
        };
        click(m.dy > 0 ? WHEEL.down : WHEEL.up, Math.abs(m.dy));
        click(m.dx > 0 ? WHEEL.right : WHEEL.left, Math.abs(m.dx));
        return;
      }
      case 'key': {
        const m = msg as InputMessage<'key'>;
        if (!m.down) {
          const keycode = this.held.get(m.keysym);
          if (keycode === undefined) return;
          this.held.delete(m.keysym);
          this.fake(X.KeyRelease, keycode);
          return;
        }
        const place = await this.place(m.keysym);
        if (!place) return;
        const shift = this.shiftDown();
        const isModifier = m.keysym >= 0xffe1 && m.keysym <= 0xffee;
        if (isModifier || place.shift === shift) {
          this.fake(X.KeyPress, place.keycode);
        } else if (place.shift) {
          const s = this.map.get(XK_SHIFT_L);
          if (s) this.fake(X.KeyPress, s.keycode);
          this.fake(X.KeyPress, place.keycode);
          if (s) this.fake(X.KeyRelease, s.keycode);
        } else {
          const shifts = [XK_SHIFT_L, XK_SHIFT_R].map((k) => this.held.get(k)).filter((k): k is number => k !== undefined);
          for (const k of shifts) this.fake(X.KeyRelease, k);
          this.fake(X.KeyPress, place.keycode);
          for (const k of shifts) this.fake(X.KeyPress, k);
        }
        this.held.set(m.keysym, place.keycode);
        return;
      }
      case 'cad': {
        const keys = [XK_CONTROL_L, XK_ALT_L, XK_DELETE].map((k) => this.map.get(k)?.keycode).filter((k): k is number => k !== undefined);
        for (const k of keys) this.fake(X.KeyPress, k);
        for (const k of keys.reverse()) this.fake(X.KeyRelease, k);
        return;
      }
      case 'release_all':
        this.releaseAll();
        return;
      default:
        return;
    }
  }

  /** Lets go of every key and button the rep holds. */
  releaseAll(): void {
    if (!this.xtest) return;
    for (const keycode of this.held.values()) this.fake(this.xtest.KeyRelease, keycode);
    this.held.clear();
    for (const [bit, button] of BUTTON_BITS) if (this.buttons & bit) this.fake(this.xtest.ButtonRelease, button);
    this.buttons = 0;
  }
}
