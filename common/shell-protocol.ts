/**
 * The wire format of a command-shell channel (F23), on both hops: customer
 * client ↔ appliance and appliance ↔ console. Each shell is one channel
 * WebSocket (`/ws/channel?t=<ticket>`, see docs/PROTOCOL.md).
 *
 *   binary frame   terminal bytes, as they are: pty output towards the
 *                  console, keystrokes towards the pty. Never JSON.
 *   text frame     one JSON control object `{ "t": <type>, ... }` from the
 *                  tables below, checked with `parseShape`.
 *
 * Control messages by direction:
 *   console  → appliance  resize
 *   appliance → customer  resize, close, ack
 *   customer → appliance  started, exit, unavailable
 *   appliance → console   hello, reset, size, exit
 *
 * Flow control of the output (credit, as common/flow.ts): the client keeps
 * at most SHELL_WINDOW bytes of output unacknowledged and pauses its pty
 * when the window is full; the appliance acknowledges with `ack` (a running
 * total) at least every SHELL_ACK_EVERY bytes, and holds its acks back while
 * every console viewer is behind.
 *
 * `reset` tells a viewer to clear its terminal: the binary frames after it
 * are the shell's recent output (scrollback) replayed, then live output
 * follows. A viewer gets one when it attaches and again after it fell too
 * far behind (appliance/src/relay/shell.ts explains the flow control).
 * Portable: no DOM, no Node.
 */
import { parseShape, type Parsed, type Shape } from './validate.ts';
import { AppError } from './errors.ts';

/** A terminal is at least 2×1 and at most 1000×500 cells; anything else is a bad message. */
export const TERMINAL_LIMITS = { minCols: 2, maxCols: 1000, minRows: 1, maxRows: 500 } as const;

/** Output a client may have unacknowledged: 1 MiB keeps `cat` fast and Ctrl-C quick behind it. */
export const SHELL_WINDOW = 1024 * 1024;
/** The appliance acknowledges output at least every 64 KiB taken. */
export const SHELL_ACK_EVERY = 64 * 1024;

const COLS = { kind: 'int', min: TERMINAL_LIMITS.minCols, max: TERMINAL_LIMITS.maxCols } as const;
const ROWS = { kind: 'int', min: TERMINAL_LIMITS.minRows, max: TERMINAL_LIMITS.maxRows } as const;

/** What a console may send on its shell channel (besides binary keystrokes). */
export const SHELL_CONSOLE_TO_APPLIANCE = {
  resize: { cols: COLS, rows: ROWS },
} as const satisfies Record<string, Shape>;

/** What the customer client may send on its shell channel (besides binary output). */
export const SHELL_CUSTOMER_TO_APPLIANCE = {
  /** The pty runs: process id and the shell program started. */
  started: { pid: { kind: 'int', min: 0, max: 2 ** 31 }, shell: { kind: 'string', max: 200 } },
  /** The shell process ended. `signal` 0 means it exited by itself. */
  exit: { code: { kind: 'int', min: -(2 ** 31), max: 2 ** 31 }, signal: { kind: 'int', min: 0, max: 255 } },
  /** No shell could be started (no pty support, refused by the customer…): the reason, in words. */
  unavailable: { reason: { kind: 'string', max: 500 } },
} as const satisfies Record<string, Shape>;

/** What the appliance sends the customer client (besides binary keystrokes). */
export const SHELL_APPLIANCE_TO_CUSTOMER = {
  resize: { cols: COLS, rows: ROWS },
  /** Credit (common/flow.ts): the running total of output bytes the appliance has taken. */
  ack: { total: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } },
  /** Stop the shell: the client kills the pty's process group and reports `exit`. */
  close: {},
} as const satisfies Record<string, Shape>;

/** Messages the appliance sends a console viewer. */
export type ShellToConsole =
  /** First message on a viewer's channel. */
  | { t: 'hello'; shellId: string; title: string; cols: number; rows: number }
  /** Clear the terminal; the scrollback follows as binary frames. */
  | { t: 'reset'; cols: number; rows: number }
  /** The pty was resized (by any viewer). */
  | { t: 'size'; cols: number; rows: number }
  /** The shell ended; `reason` is set when it never started. */
  | { t: 'exit'; code: number; signal: number; reason?: string };

export type ShellCustomerMessage = { [K in keyof typeof SHELL_CUSTOMER_TO_APPLIANCE]: { t: K } & Parsed<(typeof SHELL_CUSTOMER_TO_APPLIANCE)[K]> }[keyof typeof SHELL_CUSTOMER_TO_APPLIANCE];
export type ShellApplianceToCustomer = { [K in keyof typeof SHELL_APPLIANCE_TO_CUSTOMER]: { t: K } & Parsed<(typeof SHELL_APPLIANCE_TO_CUSTOMER)[K]> }[keyof typeof SHELL_APPLIANCE_TO_CUSTOMER];
export type ShellConsoleMessage = { [K in keyof typeof SHELL_CONSOLE_TO_APPLIANCE]: { t: K } & Parsed<(typeof SHELL_CONSOLE_TO_APPLIANCE)[K]> }[keyof typeof SHELL_CONSOLE_TO_APPLIANCE];

/** Largest control message on a shell channel: 1 KiB is far more than any of the shapes above needs. */
export const MAX_SHELL_CONTROL = 1024;

/** Decodes one text frame against `table`; throws a coded AppError for anything else. */
export function decodeShellControl<T extends Record<string, Shape>>(table: T, text: string): { t: keyof T & string } & Record<string, unknown> {
  if (text.length > MAX_SHELL_CONTROL) throw new AppError('WS_BAD_FRAME', 'control message too long');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('WS_BAD_FRAME', 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('WS_BAD_FRAME', 'not an object');
  const { t, ...rest } = value as Record<string, unknown>;
  if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(table, t)) throw new AppError('WS_UNKNOWN_TYPE', String(t).slice(0, 40));
  return { t, ...(parseShape(table[t]!, rest) as Record<string, unknown>) };
}

/** A running shell as the console lists it (`shells` message). */
export interface ShellInfo {
  id: string;
  /** "Shell 1", "Shell 2"… numbered per session. */
  title: string;
  openedBy: string;
  openedAt: number;
  /** Whether this shell is being recorded. */
  recording: boolean;
}

/** A stored recording as the console lists it (GET …/shell-recordings). */
export interface ShellRecordingInfo {
  shellId: string;
  title: string;
  openedBy: string;
  startedAt: number;
  endedAt: number | null;
  castBytes: number;
  textBytes: number;
  truncated: boolean;
}
