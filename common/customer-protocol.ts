/**
 * The customer protocol on `/ws/customer`, spoken by the customer client and
 * by the portal's click-to-chat page. JSON `{ "t": type, ...fields }`, one
 * shape per type. The first message is `hello` with exactly one of `key` (a
 * session key the customer typed), `token` (the access token of a start
 * link or build) or `resume` (the secret from an earlier `joined`, to
 * reconnect after a cut). Everything a customer can do is tied to that one
 * session; the socket can name no other.
 */
import type { ErrorCode } from './errors.ts';
import { PROTOCOL_VERSION } from './protocol.ts';
import { MAX_CHAT_LENGTH, type ChatMessage, type SessionState } from './sessions.ts';
import { ID_PATTERN, type Parsed, type Shape } from './validate.ts';
import { MAX_ACTION_OUTPUT_BYTES, SPECIAL_ACTION_OUTCOMES } from './special-actions.ts';
import { decodeMessage } from './wire.ts';

export { PROTOCOL_VERSION };

/** Largest message the appliance accepts from a customer: 16 KiB. */
export const MAX_CUSTOMER_MESSAGE = 16 * 1024;

export const CUSTOMER_TO_APPLIANCE = {
  hello: {
    v: { kind: 'int', min: 0, max: 1_000_000 },
    key: { kind: 'string', min: 7, max: 12, pattern: /^\d+$/, optional: true },
    token: { kind: 'string', min: 20, max: 64, pattern: /^[A-Za-z0-9_-]+$/, optional: true },
    resume: { kind: 'string', min: 20, max: 64, pattern: /^[A-Za-z0-9_-]+$/, optional: true },
    name: { kind: 'string', max: 100, optional: true },
    hostname: { kind: 'string', max: 255, optional: true },
    os: { kind: 'string', max: 200, optional: true },
    user: { kind: 'string', max: 100, optional: true },
    privateIps: { kind: 'stringList', max: 16, itemMax: 45, optional: true },
  },
  chat: { body: { kind: 'string', min: 1, max: MAX_CHAT_LENGTH } },
  ping: { n: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } },
  /** How a special action ended; output is its last 4 KiB (at most 4096 characters). Exit code -1: it did not exit by itself. */
  special_action_result: {
    runId: { kind: 'string', min: 22, max: 22, pattern: ID_PATTERN },
    outcome: { kind: 'enum', values: SPECIAL_ACTION_OUTCOMES },
    exitCode: { kind: 'int', min: -1, max: 255 },
    output: { kind: 'string', max: MAX_ACTION_OUTPUT_BYTES },
  },
} as const satisfies Record<string, Shape>;

export type CustomerRequestType = keyof typeof CUSTOMER_TO_APPLIANCE;
export type CustomerRequest<T extends CustomerRequestType> = Parsed<(typeof CUSTOMER_TO_APPLIANCE)[T]>;

export type ApplianceToCustomer =
  | { t: 'joined'; v: number; sessionId: string; resume: string; state: SessionState; reps: string[]; chat: ChatMessage[] }
  | { t: 'state'; state: SessionState; reps: string[] }
  | { t: 'chat'; msg: ChatMessage }
  | { t: 'end'; reason: 'ended' | 'disconnected' }
  | { t: 'pong'; n: number }
  /**
   * A rep opened a data channel (shell, files, screen…): connect a new socket
   * to `/ws/channel?t=<ticket>` within 30 s. `params` are the kind's own
   * (e.g. what the rep is allowed to do), checked again by the client.
   */
  | { t: 'channel'; kind: string; channelId: string; ticket: string; params: Record<string, unknown> }
  /** A rep asks to run a special action; the client asks its user, runs it and answers special_action_result. */
  | { t: 'special_action'; runId: string; name: string; command: string; elevated: boolean; rep: string }
  /** The rep pinned this computer: keep `secret` and run as a jump client (`/ws/jump`) from now on. */
  | { t: 'jump_pin'; jumpId: string; secret: string; name: string }
  /** The rep left a support button: install a launcher that starts sessions with `token` (F25). */
  | { t: 'button_install'; buttonId: string; token: string; description: string }
  /** F26, to a click-to-chat page: the rep offers the full client; this download joins the same session. */
  | { t: 'elevate'; download: string }
  | { t: 'error'; code: ErrorCode; message: string };

export function decodeCustomerMessage(text: string): { t: CustomerRequestType; body: Record<string, unknown> } {
  return decodeMessage(CUSTOMER_TO_APPLIANCE, text);
}

export function encodeCustomerMessage(msg: ApplianceToCustomer): string {
  return JSON.stringify(msg);
}
