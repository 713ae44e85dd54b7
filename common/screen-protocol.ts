/**
 * The screen-sharing channel protocol (F22), shared by the customer client,
 * the appliance relay and the console. One screen stream per session runs
 * over channel sockets (`/ws/channel`, kind `screen`):
 *
 *   client ── view channel ──► appliance relay ──► viewer channel (one per rep)
 *   client ◄─ control channel ─ appliance relay ◄── the viewer holding control
 *
 * The client opens a *view* channel when a rep starts sharing (and the
 * customer allowed viewing) and a separate *control* channel only when a rep
 * got control (and the customer allowed that too). Input is accepted only on
 * a control channel: a view channel has no input path at either end.
 *
 * Binary frames carry pixels; text frames carry JSON `{ t, ...fields }`
 * checked against the shape tables below. Binary layouts (little-endian):
 *
 *   UPDATE  0      1      2        6
 *           +------+------+--------+------------------------------+
 *           | 0x01 | flags| frame  | media-core bytes (one chunk)  |
 *           +------+------+--------+------------------------------+
 *           flags: bit0 key frame, bit1 last chunk of the frame. A frame's
 *           media-core message (wasm/FORMAT.md) is split into chunks of at
 *           most MAX_UPDATE_CHUNK bytes; the receiver joins them in order.
 *
 *   CURSOR  0      1      2    4    6   8   10    12    14
 *           +------+------+----+----+---+---+-----+-----+-----------------+
 *           | 0x02 | flags| x  | y  | w | h | xhot| yhot| RGBA w·h·4      |
 *           +------+------+----+----+---+---+-----+-----+-----------------+
 *           x, y: int16 pointer position in the shared monitor's pixels.
 *           flags bit0: a shape follows (w..RGBA, straight alpha); without it
 *           the message is 6 bytes and moves the pointer only.
 *
 * Portable: no DOM, no Node.
 */
import { MODE_NAMES_LIST } from './screen-modes.ts';
import type { Shape, Parsed } from './validate.ts';

export const MSG_UPDATE = 0x01;
export const MSG_CURSOR = 0x02;
export const UPDATE_HEADER = 6;
export const CURSOR_HEADER = 6;
export const CURSOR_SHAPE_HEADER = 14;
export const FLAG_KEY = 1;
export const FLAG_LAST = 2;
export const FLAG_SHAPE = 1;
/** Update chunks stay well below the channels' 1 MiB message limit: 960 KiB of codec bytes. */
export const MAX_UPDATE_CHUNK = 960 * 1024;
/** Clipboard text carried at most: 256 Ki characters (a long log excerpt; the channel limit is 1 MiB). */
export const MAX_CLIPBOARD = 256 * 1024;
/** A cursor shape larger than 128x128 px is not sent (X cursors are 16–64 px). */
export const MAX_CURSOR_EDGE = 128;
/** Pointer and monitor coordinates are X's int16/uint16. */
const COORD = { kind: 'int', min: -32768, max: 65535 } as const;
const BUTTONS = { kind: 'int', min: 0, max: 31 } as const;
const KEYSYM = { kind: 'int', min: 1, max: 0x1fffffff } as const;
const FRAME = { kind: 'int', min: 0, max: 0xffffffff } as const;
const MODE = { kind: 'enum', values: MODE_NAMES_LIST } as const;
const MONITOR = { kind: 'int', min: 0, max: 0xffffffff } as const;

/** Role of a customer-side screen channel (the `role` channel parameter). */
export type ScreenRole = 'view' | 'control';

/**
 * Input a rep holding control sends; the relay forwards it unchanged to the
 * control channel. Pointer coordinates are in the shared monitor's pixels;
 * `buttons` is a bit mask (1 left, 2 middle, 4 right).
 */
export const INPUT_MESSAGES = {
  pointer: { x: COORD, y: COORD, buttons: BUTTONS },
  /** Wheel steps: dy > 0 scrolls down, dx > 0 right; at most 10 steps a message. */
  wheel: { dx: { kind: 'int', min: -10, max: 10 }, dy: { kind: 'int', min: -10, max: 10 } },
  /** An X keysym pressed or released (web/src/console/screen-keys.ts maps browser keys). */
  key: { keysym: KEYSYM, down: { kind: 'bool' } },
  /** Ctrl-Alt-Del as one action. */
  cad: {},
  /** Releases every key and button the rep still holds (focus left the canvas). */
  release_all: {},
  /** Text for the customer's X CLIPBOARD selection (only while clipboard sync is on). */
  clipboard: { text: { kind: 'string', max: MAX_CLIPBOARD } },
  clipboard_sync: { on: { kind: 'bool' } },
  /** Privacy screen on or off (needs the privacyScreen permission as well as control). */
  privacy: { on: { kind: 'bool' } },
} as const satisfies Record<string, Shape>;
export type InputType = keyof typeof INPUT_MESSAGES;
export type InputMessage<T extends InputType = InputType> = { t: T } & Parsed<(typeof INPUT_MESSAGES)[T]>;

/** Everything a viewer (console) may send on its channel: stream control plus input. */
export const VIEWER_MESSAGES = {
  /** Frame `frame` is drawn; paces the stream (never more than 2 unacknowledged frames a viewer). */
  ack: { frame: FRAME },
  /** Ask for a key frame (after a decode error). */
  refresh: {},
  mode: { mode: MODE },
  monitor: { id: MONITOR },
  /** Request (on) or release (off) control. */
  control: { on: { kind: 'bool' } },
  ...INPUT_MESSAGES,
} as const satisfies Record<string, Shape>;
export type ViewerType = keyof typeof VIEWER_MESSAGES;

/** What the appliance sends to the client on the view channel. */
export const PRODUCER_COMMANDS = {
  /** `n` more frames may be sent. */
  credit: { n: { kind: 'int', min: 1, max: 16 } },
  key: {},
  mode: { mode: MODE },
  monitor: { id: MONITOR },
} as const satisfies Record<string, Shape>;
export type ProducerCommandType = keyof typeof PRODUCER_COMMANDS;

export interface MonitorInfo {
  id: number;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  primary: boolean;
}

/** What the client sends on its channels (view: hello, info; control: hello, clipboard, privacy). */
export type ClientMessage =
  | { t: 'hello'; allowed: boolean }
  | { t: 'info'; width: number; height: number; monitors: MonitorInfo[]; monitor: number; mode: string; capture: 'shm' | 'core' }
  | { t: 'clipboard'; text: string }
  | { t: 'privacy'; on: boolean; by: 'rep' | 'local' }
  | { t: 'error'; code: string; message: string };

/** Shape check of client text frames on the appliance (the relay trusts nothing). */
export const CLIENT_MESSAGES = {
  hello: { allowed: { kind: 'bool' } },
  info: {
    width: { kind: 'int', min: 1, max: 16384 },
    height: { kind: 'int', min: 1, max: 16384 },
    monitor: MONITOR,
    mode: MODE,
    capture: { kind: 'enum', values: ['shm', 'core'] },
  },
  clipboard: { text: { kind: 'string', max: MAX_CLIPBOARD } },
  privacy: { on: { kind: 'bool' }, by: { kind: 'enum', values: ['rep', 'local'] } },
  error: { code: { kind: 'string', max: 40 }, message: { kind: 'string', max: 500 } },
} as const satisfies Record<string, Shape>;

export type ViewerStatus = 'asking' | 'viewing' | 'refused' | 'ended';
export type ControlState = 'none' | 'asking' | 'granted' | 'refused';

/** What the appliance sends to a viewer as text. */
export type ApplianceToViewer =
  | { t: 'status'; state: ViewerStatus }
  | Extract<ClientMessage, { t: 'info' }>
  | { t: 'control'; state: ControlState; holder: string | null; mine: boolean }
  | { t: 'clipboard'; text: string }
  | { t: 'privacy'; on: boolean }
  | { t: 'error'; code: string; message: string };

/** Builds an UPDATE frame around one chunk. */
export function updateFrame(frame: number, chunk: Uint8Array, key: boolean, last: boolean): Uint8Array {
  const out = new Uint8Array(UPDATE_HEADER + chunk.length);
  out[0] = MSG_UPDATE;
  out[1] = (key ? FLAG_KEY : 0) | (last ? FLAG_LAST : 0);
  new DataView(out.buffer).setUint32(2, frame >>> 0, true);
  out.set(chunk, UPDATE_HEADER);
  return out;
}

/** Splits one encoded frame into UPDATE frames. */
export function updateFrames(frame: number, message: Uint8Array, key: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < message.length || out.length === 0; at += MAX_UPDATE_CHUNK) {
    const end = Math.min(message.length, at + MAX_UPDATE_CHUNK);
    out.push(updateFrame(frame, message.subarray(at, end), key, end >= message.length));
  }
  return out;
}

export interface UpdateHeader {
  frame: number;
  key: boolean;
  last: boolean;
}

/** Reads an UPDATE header; undefined for anything that is not a well-formed update. */
export function readUpdate(data: Uint8Array): UpdateHeader | undefined {
  if (data.length < UPDATE_HEADER || data[0] !== MSG_UPDATE) return undefined;
  const flags = data[1]!;
  if (flags & ~(FLAG_KEY | FLAG_LAST)) return undefined;
  const frame = new DataView(data.buffer, data.byteOffset, data.length).getUint32(2, true);
  return { frame, key: (flags & FLAG_KEY) !== 0, last: (flags & FLAG_LAST) !== 0 };
}

export interface CursorShape {
  width: number;
  height: number;
  xhot: number;
  yhot: number;
  /** Straight-alpha RGBA, width·height·4 bytes. */
  rgba: Uint8Array;
}

export function cursorFrame(x: number, y: number, shape?: CursorShape): Uint8Array {
  const out = new Uint8Array(shape ? CURSOR_SHAPE_HEADER + shape.rgba.length : CURSOR_HEADER);
  const v = new DataView(out.buffer);
  out[0] = MSG_CURSOR;
  out[1] = shape ? FLAG_SHAPE : 0;
  v.setInt16(2, x, true);
  v.setInt16(4, y, true);
  if (shape) {
    v.setUint16(6, shape.width, true);
    v.setUint16(8, shape.height, true);
    v.setUint16(10, shape.xhot, true);
    v.setUint16(12, shape.yhot, true);
    out.set(shape.rgba, CURSOR_SHAPE_HEADER);
  }
  return out;
}

/** Reads a CURSOR frame; undefined when malformed (wrong length, oversized shape). */
export function readCursor(data: Uint8Array): { x: number; y: number; shape?: CursorShape } | undefined {
  if (data.length < CURSOR_HEADER || data[0] !== MSG_CURSOR) return undefined;
  const v = new DataView(data.buffer, data.byteOffset, data.length);
  const x = v.getInt16(2, true);
  const y = v.getInt16(4, true);
  if (data[1] === 0) return data.length === CURSOR_HEADER ? { x, y } : undefined;
  if (data[1] !== FLAG_SHAPE || data.length < CURSOR_SHAPE_HEADER) return undefined;
  const width = v.getUint16(6, true);
  const height = v.getUint16(8, true);
  if (width > MAX_CURSOR_EDGE || height > MAX_CURSOR_EDGE || data.length !== CURSOR_SHAPE_HEADER + width * height * 4) return undefined;
  return { x, y, shape: { width, height, xhot: v.getUint16(10, true), yhot: v.getUint16(12, true), rgba: data.subarray(CURSOR_SHAPE_HEADER) } };
}
