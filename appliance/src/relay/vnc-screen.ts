/**
 * The customer side of the screen relay for a Remote VNC session (F13):
 * the appliance itself is the "client". One VncScreen per session wraps its
 * RFB connection (relay/rfb-client.ts) and plays both customer channels of
 * a screen stream (relay/screen-fanout.ts) in process:
 *
 * - the *view* side answers `hello` (there is nobody to ask: the rep jumped
 *   with the server's password), sends `info`, and encodes the framebuffer
 *   with the media core (one encoder per stream, BGRX in), one frame per
 *   relay credit like the client's streamer. It asks the VNC server for the
 *   next incremental update only after the previous one was encoded and
 *   sent, so a slow viewer slows the server's updates instead of queueing
 *   them; several server updates between two frames are coalesced.
 * - the *control* side turns the rep's input into RFB events: pointer
 *   (buttons as RFB's mask; wheel steps as buttons 4/5 and 6/7 pressed and
 *   released), keys (X keysyms, as the console sends them), Ctrl-Alt-Del,
 *   and the clipboard as ClientCutText / ServerCutText while clipboard sync
 *   is on (Latin-1 per RFB: other characters become '?'). The privacy screen
 *   has no RFB equivalent and is ignored.
 *
 * Messages from the relay are handled on a later tick (never inside the
 * fanout's own call), so the fanout never sees a reply re-entering it.
 */
import { PRODUCER_COMMANDS, INPUT_MESSAGES, updateFrames, type InputMessage } from '../../../common/screen-protocol.ts';
import { DEFAULT_SCREEN_MODE, MODE_NAMES_LIST, type ScreenMode } from '../../../common/screen-modes.ts';
import { decodeMessage } from '../../../common/wire.ts';
import type { Encoder, MediaCore } from '../../../wasm/src/index.ts';
import type { RfbClient } from './rfb-client.ts';
import type { Peer } from './screen-fanout.ts';

/** At most 30 frames a second, as the client's streamer. */
const MIN_FRAME_INTERVAL_MS = 33;
const KEY_CONTROL_L = 0xffe3;
const KEY_ALT_L = 0xffe9;
const KEY_DELETE = 0xffff;

/** How a VncScreen reaches the fanout: what the customer's socket would have sent. */
export interface FanoutSide {
  message(data: Uint8Array, isBinary: boolean): void;
  close(): void;
}

const enc = new TextEncoder();
const text = (msg: Record<string, unknown>): Uint8Array => enc.encode(JSON.stringify(msg));

/** Statistics for the benchmark: frames and codec bytes sent to the relay. */
export interface VncStreamStats {
  frames: number;
  bytes: number;
}

export class VncScreen {
  private view: { side: FanoutSide; peer: Peer } | undefined;
  private control: { side: FanoutSide; peer: Peer } | undefined;
  private encoder: Encoder | undefined;
  private mode: ScreenMode = DEFAULT_SCREEN_MODE;
  private credits = 0;
  private keyWanted = true;
  private dirty = false;
  private haveFrame = false;
  private requested = false;
  private frameNo = 0;
  private lastFrame = 0;
  private timer: NodeJS.Timeout | undefined;
  private buttons = 0;
  private x = 0;
  private y = 0;
  private readonly keysDown = new Set<number>();
  private clipboardSync = false;
  readonly stats: VncStreamStats = { frames: 0, bytes: 0 };

  constructor(private readonly rfb: RfbClient, private readonly core: MediaCore) {
    rfb.onUpdate = () => {
      this.requested = false;
      this.dirty = true;
      this.haveFrame = true;
      this.pump();
    };
    rfb.onResize = () => {
      this.encoder = undefined;
      this.keyWanted = true;
      this.sendInfo();
    };
    rfb.onClipboard = (t) => {
      if (this.clipboardSync && this.control) this.control.side.message(text({ t: 'clipboard', text: t }), false);
    };
  }

  // ---- view ---------------------------------------------------------------

  /** A new screen stream wants a producer: returns the peer the fanout talks to. */
  attachView(side: FanoutSide, mode?: string): Peer {
    this.detachView();
    if (mode && MODE_NAMES_LIST.includes(mode as ScreenMode)) this.mode = mode as ScreenMode;
    const view = {
      side,
      peer: {
        send: (data: Uint8Array | string, binary: boolean) => {
          if (!binary) setImmediate(() => this.view === view && this.command(String(typeof data === 'string' ? data : Buffer.from(data).toString())));
        },
        buffered: () => 0,
        close: () => {
          if (this.view === view) this.detachView();
        },
      } satisfies Peer,
    };
    this.view = view;
    this.credits = 0;
    this.keyWanted = true;
    this.encoder = undefined;
    setImmediate(() => {
      if (this.view !== view) return;
      side.message(text({ t: 'hello', allowed: true }), false);
      this.sendInfo();
      // A full update first: the stream starts with a key frame of the whole screen.
      this.rfb.requestUpdate(false);
      this.requested = true;
    });
    return view.peer;
  }

  private detachView(): void {
    this.view = undefined;
    this.credits = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sendInfo(): void {
    const { width, height } = this.rfb;
    this.view?.side.message(text({ t: 'info', width, height, monitors: [{ id: 0, name: this.rfb.name.slice(0, 64) || 'VNC', x: 0, y: 0, width, height, primary: true }], monitor: 0, mode: this.mode, capture: 'core' }), false);
  }

  private command(raw: string): void {
    let msg: { t: string; body: Record<string, unknown> };
    try {
      msg = decodeMessage(PRODUCER_COMMANDS, raw);
    } catch {
      return;
    }
    if (msg.t === 'credit') this.credits = Math.min(this.credits + (msg.body.n as number), 16);
    else if (msg.t === 'key') this.keyWanted = true;
    else if (msg.t === 'mode') {
      this.mode = msg.body.mode as ScreenMode;
      this.encoder?.setMode(this.mode);
      this.keyWanted = true;
      this.sendInfo();
    }
    this.pump();
  }

  private pump(): void {
    const view = this.view;
    if (!view || this.credits <= 0 || !this.haveFrame || !this.rfb.isOpen) return;
    if (!this.dirty && !this.keyWanted) {
      this.askForMore();
      return;
    }
    const wait = this.lastFrame + MIN_FRAME_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const { width, height, framebuffer } = this.rfb;
    this.encoder ??= this.core.createEncoder({ width, height, mode: this.mode });
    const key = this.keyWanted;
    const message = this.encoder.encode(framebuffer, { format: 'bgrx', keyFrame: key });
    const s = this.encoder.lastStats;
    this.dirty = false;
    this.lastFrame = Date.now();
    if (key || !s || s.changedTiles > 0 || s.copies > 0) {
      this.keyWanted = false;
      this.credits--;
      const frame = this.frameNo++;
      this.stats.frames++;
      this.stats.bytes += message.length;
      for (const part of updateFrames(frame, message, key)) view.side.message(part, true);
    }
    this.askForMore();
  }

  /** The last update is encoded: the server may send the next one. */
  private askForMore(): void {
    if (this.requested || !this.rfb.isOpen) return;
    this.requested = true;
    this.rfb.requestUpdate(true);
  }

  // ---- control ------------------------------------------------------------

  /** The rep holding control: returns the peer the fanout forwards input to. */
  attachControl(side: FanoutSide): Peer {
    const control = {
      side,
      peer: {
        send: (data: Uint8Array | string, binary: boolean) => {
          if (!binary && this.control === control) this.input(String(typeof data === 'string' ? data : Buffer.from(data).toString()));
        },
        buffered: () => 0,
        close: () => {
          if (this.control !== control) return;
          this.releaseAll();
          this.clipboardSync = false;
          this.control = undefined;
        },
      } satisfies Peer,
    };
    this.control = control;
    setImmediate(() => this.control === control && side.message(text({ t: 'hello', allowed: true }), false));
    return control.peer;
  }

  private input(raw: string): void {
    let m: InputMessage;
    try {
      const d = decodeMessage(INPUT_MESSAGES, raw);
      m = { t: d.t, ...d.body } as InputMessage;
    } catch {
      return;
    }
    const rfb = this.rfb;
    if (!rfb.isOpen) return;
    switch (m.t) {
      case 'pointer': {
        const p = m as InputMessage<'pointer'>;
        this.x = p.x;
        this.y = p.y;
        this.buttons = p.buttons & 7;
        rfb.pointer(p.x, p.y, this.buttons);
        break;
      }
      case 'wheel': {
        const w = m as InputMessage<'wheel'>;
        const step = (bit: number, n: number): void => {
          for (let i = 0; i < n; i++) {
            rfb.pointer(this.x, this.y, this.buttons | bit);
            rfb.pointer(this.x, this.y, this.buttons);
          }
        };
        step(w.dy < 0 ? 8 : 16, Math.abs(w.dy));
        step(w.dx < 0 ? 32 : 64, Math.abs(w.dx));
        break;
      }
      case 'key': {
        const k = m as InputMessage<'key'>;
        if (k.down) this.keysDown.add(k.keysym);
        else this.keysDown.delete(k.keysym);
        rfb.key(k.keysym, k.down);
        break;
      }
      case 'cad':
        for (const k of [KEY_CONTROL_L, KEY_ALT_L, KEY_DELETE]) rfb.key(k, true);
        for (const k of [KEY_DELETE, KEY_ALT_L, KEY_CONTROL_L]) rfb.key(k, false);
        break;
      case 'release_all':
        this.releaseAll();
        break;
      case 'clipboard':
        if (this.clipboardSync) rfb.cutText((m as InputMessage<'clipboard'>).text);
        break;
      case 'clipboard_sync':
        this.clipboardSync = (m as InputMessage<'clipboard_sync'>).on;
        break;
      default:
        // The privacy screen: RFB cannot blank a remote screen or block its local input.
        break;
    }
  }

  private releaseAll(): void {
    if (!this.rfb.isOpen) return;
    for (const k of this.keysDown) this.rfb.key(k, false);
    this.keysDown.clear();
    if (this.buttons) {
      this.buttons = 0;
      this.rfb.pointer(this.x, this.y, 0);
    }
  }

  /** The RFB connection ended: the stream and the control channel end with it. */
  ended(): void {
    const view = this.view;
    const control = this.control;
    this.detachView();
    this.control = undefined;
    control?.side.close();
    view?.side.close();
  }
}
