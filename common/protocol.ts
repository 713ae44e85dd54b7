/**
 * The console WebSocket protocol, defined once as data. Every message is a
 * JSON object `{ "t": <type>, ...fields }`. Each type has one shape (checked
 * with `parseShape`) and one direction. The browser opens `/ws/console` with
 * its console sign-in cookie and first sends `hello` with PROTOCOL_VERSION;
 * the appliance answers `welcome` or `error` + close.
 */
import { AppError, type ErrorCode } from './errors.ts';
import { parseShape, type Parsed, type Shape } from './validate.ts';

/** Bump on any incompatible change to a message below. */
export const PROTOCOL_VERSION = 1;

/** Largest message the appliance accepts on the console socket: 64 KiB. */
export const MAX_CONSOLE_MESSAGE = 64 * 1024;

/** Messages the console sends to the appliance. */
export const CONSOLE_TO_APPLIANCE = {
  hello: { v: { kind: 'int', min: 0, max: 1_000_000 } },
  ping: { n: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } },
} as const satisfies Record<string, Shape>;

export type ConsoleRequestType = keyof typeof CONSOLE_TO_APPLIANCE;
export type ConsoleRequest<T extends ConsoleRequestType> = Parsed<(typeof CONSOLE_TO_APPLIANCE)[T]>;

/** Why a console was signed out; the console shows a matching message. */
export type SignOutReason = 'logout' | 'elsewhere' | 'credentials' | 'disabled';

/** Messages the appliance sends to the console. */
export type ApplianceToConsole =
  | { t: 'welcome'; v: number; user: { id: string; username: string; displayName: string } }
  | { t: 'pong'; n: number }
  | { t: 'signed_out'; reason: SignOutReason }
  | { t: 'error'; code: ErrorCode; message: string };

/** Decodes one console message; throws a coded AppError for anything malformed. */
export function decodeConsoleMessage(text: string): { t: ConsoleRequestType; body: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('WS_BAD_FRAME', 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('WS_BAD_FRAME', 'not an object');
  const { t, ...rest } = value as Record<string, unknown>;
  if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(CONSOLE_TO_APPLIANCE, t)) throw new AppError('WS_UNKNOWN_TYPE', String(t).slice(0, 40));
  const type = t as ConsoleRequestType;
  const body = parseShape(CONSOLE_TO_APPLIANCE[type], rest) as Record<string, unknown>;
  return { t: type, body };
}

export function encodeConsoleMessage(msg: ApplianceToConsole): string {
  return JSON.stringify(msg);
}
