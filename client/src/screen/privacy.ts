/**
 * The privacy screen (F22): the person at the customer's screen sees black
 * and their keyboard and mouse do nothing, while the rep keeps seeing and
 * controlling the real desktop. How, on X11 (chosen because it works on a
 * plain X server such as Xvfb, with no compositing manager):
 *
 * - Composite *automatic* redirection of the root's children: every
 *   top-level window draws into its own off-screen pixmap, which the server
 *   copies to the screen. On top of them all sits a black override-redirect
 *   window with a short notice: the screen (and any direct capture of it) is
 *   black. Its input shape is empty, so pointer events pass to the windows
 *   beneath.
 * - The rep's frames are composed from the window pixmaps (NameWindowPixmap;
 *   each holds its window and border), bottom to top, leaving the black
 *   window out. The bottom layer is a full-screen window whose background is
 *   ParentRelative, i.e. the root's own background, so the wallpaper shows.
 *   (Tried first: manual redirection with the Composite overlay window. On
 *   Xvfb the overlay stayed black after its release and windows were not
 *   repainted after the redirection ended.)
 * - Local input: an active keyboard and pointer grab on the root sends every
 *   key press and click to this client, which drops them. The rep's input is
 *   injected between an ungrab and a re-grab sent in one batch; XTEST
 *   delivers synchronously within the request, so the rep's events reach the
 *   programs and the grab is back before the next local event is read.
 * - Ctrl+Alt+Shift+P pressed at the customer's keyboard (it reaches this
 *   client through the grab) ends the privacy screen: LOCAL_RELEASE_KEYS.
 *
 * Limits: another compositing manager already holding the redirection, or a
 * program holding a grab, makes `enable` fail with a clear error.
 */
import type { MonitorInfo } from '../../../common/screen-protocol.ts';
import type { ScreenGrabber } from './capture.ts';
import type { XConnection, XEvent } from './x-display.ts';

/** Composite redirect mode "automatic": the server still paints the windows, from their own pixmaps. */
const REDIRECT_AUTOMATIC = 0;
/** Window background "ParentRelative": shows the root's background. */
const PARENT_RELATIVE = 1;
/** ConfigureWindow stack mode Below (bottom of the stack). */
const STACK_BELOW = 1;
const GRAB_ASYNC = 1;
const GRAB_SUCCESS = 0;
const BUTTON_MASKS = 4 | 8; // ButtonPress | ButtonRelease
const MAP_VIEWABLE = 2;
/** SHAPE kind "input" for XFIXES SetWindowShapeRegion. */
const SHAPE_INPUT = 2;
const INPUT_OUTPUT = 1;
/** X modifier bits: Shift 1, Control 4, Mod1 (Alt) 8. */
const RELEASE_MODIFIERS = 1 | 4 | 8;
/** The key combination the customer presses to end the privacy screen (documented in README). */
export const LOCAL_RELEASE_KEYS = 'Ctrl+Alt+Shift+P';
const XK_P_LOWER = 0x70;

export class PrivacyScreen {
  private on = false;
  private offEvents: (() => void) | undefined;
  private releaseKeycode = 0;
  private gc = 0;
  private blanker = 0;
  private backdrop = 0;
  /** Called when the customer ended the privacy screen with LOCAL_RELEASE_KEYS. */
  onLocalRelease: (() => void) | undefined;

  constructor(private readonly conn: XConnection, private readonly grabber: ScreenGrabber) {}

  get active(): boolean {
    return this.on;
  }

  async enable(): Promise<void> {
    if (this.on) return;
    const { X, root } = this.conn;
    const screen = this.conn.display.screen[0]!;
    const { width, height } = this.conn;
    const composite = await this.conn.ext('composite');
    const fixes = await this.conn.ext('fixes');
    composite.RedirectSubwindows(root, REDIRECT_AUTOMATIC);
    // Bottom layer: a window showing the root's own background (ParentRelative), kept in its own pixmap.
    this.backdrop = X.AllocID();
    X.CreateWindow(this.backdrop, root, 0, 0, width, height, 0, 0, INPUT_OUTPUT, 0, { overrideRedirect: 1, backgroundPixmap: PARENT_RELATIVE });
    X.ConfigureWindow(this.backdrop, { stackMode: STACK_BELOW });
    X.MapWindow(this.backdrop);
    // Top layer: black, with the notice, taking no pointer input (empty input shape).
    this.blanker = X.AllocID();
    X.CreateWindow(this.blanker, root, 0, 0, width, height, 0, 0, INPUT_OUTPUT, 0, { overrideRedirect: 1, backgroundPixel: screen.black_pixel });
    const empty = X.AllocID();
    fixes.CreateRegion(empty, []);
    fixes.SetWindowShapeRegion(this.blanker, SHAPE_INPUT, 0, 0, empty);
    fixes.DestroyRegion(empty);
    X.MapWindow(this.blanker);
    this.gc = X.AllocID();
    X.CreateGC(this.gc, this.blanker, { foreground: screen.white_pixel, background: screen.black_pixel });
    X.ImageText8(this.blanker, this.gc, 40, 60, 'Your support representative has turned on the privacy screen.');
    X.ImageText8(this.blanker, this.gc, 40, 80, `Press ${LOCAL_RELEASE_KEYS} to end it and use your computer again.`);
    const { min_keycode: min, max_keycode: max } = this.conn.display;
    const keymap = await this.conn.call<number[][]>((cb) => X.GetKeyboardMapping(min, max - min + 1, cb));
    this.releaseKeycode = min + keymap.findIndex((syms) => syms[0] === XK_P_LOWER);
    const status = await this.grabInput();
    if (status !== GRAB_SUCCESS) {
      await this.restore();
      throw new Error('another program holds the keyboard or mouse');
    }
    this.offEvents = this.conn.onEvent((ev) => this.onEvent(ev));
    this.on = true;
  }

  /** Keeps the blanker above windows mapped after it (called before each composed frame). */
  private raise(): void {
    if (this.blanker) this.conn.X.RaiseWindow(this.blanker);
  }

  private grabInput(): Promise<number> {
    const { X, root } = this.conn;
    X.GrabPointer(root, 0, BUTTON_MASKS, GRAB_ASYNC, GRAB_ASYNC, 0, 0, 0, () => undefined);
    return this.conn.call<number>((cb) => X.GrabKeyboard(root, 0, 0, GRAB_ASYNC, GRAB_ASYNC, cb));
  }

  private onEvent(ev: XEvent): void {
    if (!this.on || ev.name !== 'KeyPress') return;
    if (ev.keycode === this.releaseKeycode && ((ev.buttons as number) & RELEASE_MODIFIERS) === RELEASE_MODIFIERS) {
      void this.disable().then(() => this.onLocalRelease?.());
    }
  }

  /** Runs the rep's input injection past the grab (see the module comment). */
  inject(fn: () => void): void {
    if (!this.on) return fn();
    const { X, root } = this.conn;
    X.UngrabKeyboard(0);
    X.UngrabPointer(0);
    fn();
    X.GrabPointer(root, 0, BUTTON_MASKS, GRAB_ASYNC, GRAB_ASYNC, 0, 0, 0, () => undefined);
    X.GrabKeyboard(root, 0, 0, GRAB_ASYNC, GRAB_ASYNC, () => undefined);
  }

  async disable(): Promise<void> {
    if (!this.on) return;
    this.on = false;
    this.offEvents?.();
    this.conn.X.UngrabKeyboard(0);
    this.conn.X.UngrabPointer(0);
    await this.restore();
  }

  /** Takes both layers away and ends the redirection; the server paints the windows as before. */
  private async restore(): Promise<void> {
    const { X, root } = this.conn;
    const composite = await this.conn.ext('composite');
    if (this.gc) X.FreeGC(this.gc);
    if (this.blanker) X.DestroyWindow(this.blanker);
    if (this.backdrop) X.DestroyWindow(this.backdrop);
    this.gc = this.blanker = this.backdrop = 0;
    composite.UnredirectSubwindows(root);
    await this.conn.sync();
  }

  /** The frame of `m` as the rep should see it: the real screen, or while active the composed desktop. */
  async grab(m: MonitorInfo): Promise<Uint8Array> {
    if (!this.on) return this.grabber.grab(m);
    const { X, root } = this.conn;
    this.raise();
    const frame = Buffer.alloc(m.width * m.height * 4);
    const composite = await this.conn.ext('composite');
    const tree = await this.conn.call<{ children: number[] }>((cb) => X.QueryTree(root, cb));
    for (const win of tree.children) {
      if (win === this.blanker) continue;
      const attrs = await this.conn.call<{ mapState: number; klass: number }>((cb) => X.GetWindowAttributes(win, cb)).catch(() => undefined);
      if (!attrs || attrs.mapState !== MAP_VIEWABLE || attrs.klass !== INPUT_OUTPUT) continue;
      const g = await this.conn.call<{ xPos: number; yPos: number; width: number; height: number; borderWidth: number }>((cb) => X.GetGeometry(win, cb)).catch(() => undefined);
      if (!g) continue;
      // The redirected window's pixmap holds the window with its border.
      const wx = g.xPos;
      const wy = g.yPos;
      const ww = g.width + 2 * g.borderWidth;
      const wh = g.height + 2 * g.borderWidth;
      const x0 = Math.max(wx, m.x);
      const y0 = Math.max(wy, m.y);
      const x1 = Math.min(wx + ww, m.x + m.width);
      const y1 = Math.min(wy + wh, m.y + m.height);
      if (x1 <= x0 || y1 <= y0) continue;
      const w = x1 - x0;
      const h = y1 - y0;
      const pixmap = X.AllocID();
      composite.NameWindowPixmap(win, pixmap);
      let px: Uint8Array;
      try {
        px = await this.grabber.grab({ x: x0 - wx, y: y0 - wy, width: w, height: h }, pixmap);
      } catch {
        continue; // the window went away between the listing and the read
      } finally {
        X.FreePixmap(pixmap);
        X.ReleaseID(pixmap);
      }
      for (let y = 0; y < h; y++) frame.set(px.subarray(y * w * 4, (y + 1) * w * 4), ((y0 - m.y + y) * m.width + (x0 - m.x)) * 4);
    }
    return frame;
  }
}
