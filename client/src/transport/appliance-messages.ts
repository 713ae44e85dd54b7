/**
 * Decodes what the appliance sends on `/ws/customer` into the typed
 * `ApplianceToCustomer` union, one checker per message type in one table.
 * Anything else — not JSON, not an object, an unknown type, a field of the
 * wrong kind — comes back as `{ ok: false, reason }` for the caller to log
 * and ignore: a client must never crash on what a server says.
 */
import type { ApplianceToCustomer } from '../../../common/customer-protocol.ts';
import type { ErrorCode } from '../../../common/errors.ts';
import type { ChatMessage, SessionState } from '../../../common/sessions.ts';

export type Decoded = { ok: true; msg: ApplianceToCustomer } | { ok: false; reason: string };

type Fields = Record<string, unknown>;
type Checker = (m: Fields) => ApplianceToCustomer | undefined;

const STATES: readonly SessionState[] = ['waiting', 'active', 'ended'];

const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isState = (v: unknown): v is SessionState => STATES.includes(v as SessionState);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function isChat(v: unknown): v is ChatMessage {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Fields;
  const from = c.from as Fields | null | undefined;
  if (!isInt(c.seq) || !isInt(c.at) || !isString(c.body) || typeof from !== 'object' || from === null) return false;
  if (from.kind === 'rep') return isString(from.name);
  if (from.kind === 'customer') return isString(from.name);
  return from.kind === 'system';
}

const CHECKERS: Record<ApplianceToCustomer['t'], Checker> = {
  joined: (m) =>
    isInt(m.v) && isString(m.sessionId) && isString(m.resume) && isState(m.state) && isStringList(m.reps) && Array.isArray(m.chat) && m.chat.every(isChat)
      ? { t: 'joined', v: m.v, sessionId: m.sessionId, resume: m.resume, state: m.state, reps: m.reps, chat: m.chat }
      : undefined,
  state: (m) => (isState(m.state) && isStringList(m.reps) ? { t: 'state', state: m.state, reps: m.reps } : undefined),
  chat: (m) => (isChat(m.msg) ? { t: 'chat', msg: m.msg } : undefined),
  end: (m) => (m.reason === 'ended' || m.reason === 'disconnected' ? { t: 'end', reason: m.reason } : undefined),
  pong: (m) => (isInt(m.n) ? { t: 'pong', n: m.n } : undefined),
  special_action: (m) =>
    isString(m.runId) && isString(m.name) && isString(m.command) && typeof m.elevated === 'boolean' && isString(m.rep)
      ? { t: 'special_action', runId: m.runId, name: m.name, command: m.command, elevated: m.elevated, rep: m.rep }
      : undefined,
  channel: (m) =>
    isString(m.kind) && isString(m.channelId) && isString(m.ticket) && typeof m.params === 'object' && m.params !== null && !Array.isArray(m.params)
      ? { t: 'channel', kind: m.kind, channelId: m.channelId, ticket: m.ticket, params: m.params as Record<string, unknown> }
      : undefined,
  elevate: (m) => (isString(m.download) ? { t: 'elevate', download: m.download } : undefined),
  button_install: (m) =>
    isString(m.buttonId) && isString(m.token) && isString(m.description) ? { t: 'button_install', buttonId: m.buttonId, token: m.token, description: m.description } : undefined,
  jump_pin: (m) => (isString(m.jumpId) && isString(m.secret) && isString(m.name) ? { t: 'jump_pin', jumpId: m.jumpId, secret: m.secret, name: m.name } : undefined),
  // A code this client does not know (a newer appliance) still arrives: the link treats it as not final.
  error: (m) => (isString(m.code) && isString(m.message) ? { t: 'error', code: m.code as ErrorCode, message: m.message } : undefined),
};

/** Longest text quoted back in a reason: 60 characters. */
const QUOTE_LIMIT = 60;

export function decodeApplianceMessage(text: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: `not JSON: ${JSON.stringify(text.slice(0, QUOTE_LIMIT))}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
  const fields = value as Fields;
  const t = fields.t;
  if (!isString(t) || !Object.prototype.hasOwnProperty.call(CHECKERS, t)) return { ok: false, reason: `unknown type ${JSON.stringify(String(t).slice(0, QUOTE_LIMIT))}` };
  const msg = CHECKERS[t as ApplianceToCustomer['t']](fields);
  return msg ? { ok: true, msg } : { ok: false, reason: `malformed ${t}` };
}
