/**
 * The console WebSocket protocol, defined once as data. Every message is a
 * JSON object `{ "t": <type>, ...fields }`. Each type has one shape (checked
 * with `parseShape`) and one direction. The browser opens `/ws/console` with
 * its console sign-in cookie and first sends `hello` with PROTOCOL_VERSION;
 * the appliance answers `welcome` (with the rep's queues and sessions) or
 * `error` + close. Requests that act on something carry a request id `rid`
 * that the appliance echoes in `ack` or `error`. See docs/PROTOCOL.md.
 */
import type { ErrorCode } from './errors.ts';
import type { JumpItem } from './jump.ts';
import type { SupportButton } from './support-buttons.ts';
import type { RepPermissions } from './permissions.ts';
import type { SpecialActionInfo, SpecialActionOutcome } from './special-actions.ts';
import type { ChatMessage, QueueId, SessionEvent, SessionSummary } from './sessions.ts';
import { MAX_CHAT_LENGTH, QUEUE_ID_PATTERN } from './sessions.ts';
import { TERMINAL_LIMITS, type ShellInfo } from './shell-protocol.ts';
import { FINGERPRINT_PATTERN, MAX_PASSWORD, MAX_PRIVATE_KEY, type SshPrompt } from './shell-jump.ts';
import { MAX_VNC_PASSWORD } from './remote-vnc.ts';
import { ID_PATTERN, type Parsed, type Shape } from './validate.ts';
import { decodeMessage } from './wire.ts';

/** Bump on any incompatible change to a message below or in customer-protocol.ts. */
export const PROTOCOL_VERSION = 1;

/** Largest message the appliance accepts on the console socket: 64 KiB. */
export const MAX_CONSOLE_MESSAGE = 64 * 1024;

export const RID = { kind: 'int', min: 0, max: 2 ** 31 } as const;
export const SESSION_ID = { kind: 'string', min: 22, max: 22, pattern: ID_PATTERN } as const;
const TEAM_ID = SESSION_ID;
/** A vault credential: a built-in id, or `<provider id>:<id>` from an external credential provider (appliance/src/vault/provider.ts). */
const CREDENTIAL_ID = /^([A-Za-z0-9_-]{22}|[a-z0-9-]{1,20}:[A-Za-z0-9_.-]{1,100})$/;
const SHELL_COLS = { kind: 'int', min: TERMINAL_LIMITS.minCols, max: TERMINAL_LIMITS.maxCols } as const;
const SHELL_ROWS = { kind: 'int', min: TERMINAL_LIMITS.minRows, max: TERMINAL_LIMITS.maxRows } as const;

/** Messages the console sends to the appliance. */
export const CONSOLE_TO_APPLIANCE = {
  hello: { v: { kind: 'int', min: 0, max: 1_000_000 } },
  ping: { n: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } },
  /** Take a waiting session: the rep becomes its owner. */
  accept: { rid: RID, sessionId: SESSION_ID },
  /** Move a session to another queue (`team:<id>`) or rep (`rep:<id>`); it waits there. */
  transfer: { rid: RID, sessionId: SESSION_ID, to: { kind: 'string', max: 27, pattern: QUEUE_ID_PATTERN } },
  /** Full state of a session the rep is a member of: chat and event history. */
  open_session: { rid: RID, sessionId: SESSION_ID },
  chat: { rid: RID, sessionId: SESSION_ID, body: { kind: 'string', min: 1, max: MAX_CHAT_LENGTH } },
  /** Owner only: back to the owner's personal queue; the customer stays connected. */
  pause: { rid: RID, sessionId: SESSION_ID },
  /** Owner only: close the session; the customer client exits and removes itself. */
  end: { rid: RID, sessionId: SESSION_ID },
  /** Owner only (F28): invite a team (`team:<id>`, any of its reps may join) or a rep (`rep:<id>`). */
  invite: { rid: RID, sessionId: SESSION_ID, to: { kind: 'string', max: 27, pattern: QUEUE_ID_PATTERN } },
  /** Owner only: take back a live invitation. */
  invite_withdraw: { rid: RID, sessionId: SESSION_ID, invitationId: SESSION_ID },
  /** An invited rep joins (as a member) or declines. */
  invite_answer: { rid: RID, sessionId: SESSION_ID, invitationId: SESSION_ID, join: { kind: 'bool' } },
  /** Owner of a click-to-chat session (F26): offer the customer the full client, which joins this session. */
  elevate: { rid: RID, sessionId: SESSION_ID },
  /** Owner only (F29): take another rep out of the session. */
  remove_member: { rid: RID, sessionId: SESSION_ID, userId: SESSION_ID },
  /** Owner only (F29): disconnect the customer; the reps stay in the session. */
  dismiss_customer: { rid: RID, sessionId: SESSION_ID },
  /** Non-owner member: leave the session. */
  leave: { rid: RID, sessionId: SESSION_ID },
  team_chat: { rid: RID, teamId: TEAM_ID, body: { kind: 'string', min: 1, max: MAX_CHAT_LENGTH } },
  /** Star or unstar a team queue. */
  favourite: { rid: RID, teamId: TEAM_ID, on: { kind: 'bool' } },
  /** Jump items the rep may see (← `jump_items`). */
  jump_list: { rid: RID },
  /** Owner: pin the session's computer as a jump client, to the rep's own list (`personal`) or a team's (team id). */
  jump_pin: { rid: RID, sessionId: SESSION_ID, group: { kind: 'string', min: 8, max: 22, pattern: /^(personal|[A-Za-z0-9_-]{22})$/ }, name: { kind: 'string', max: 100, optional: true } },
  /** Start a session on an online jump client; the rep owns it from the start. */
  jump_start: { rid: RID, itemId: SESSION_ID, override: { kind: 'bool', optional: true } },
  /** Choose the jump policy of an item (`''` = none); who may remove it may do this. */
  jump_set_policy: { rid: RID, itemId: SESSION_ID, policyId: { kind: 'string', max: 22, pattern: /^([A-Za-z0-9_-]{22})?$/ } },
  /** Remove a jump item; its jump client uninstalls itself. */
  jump_remove: { rid: RID, itemId: SESSION_ID },
  /** Owner (F25): leave a support button on the customer's computer that starts sessions in my queue (`personal`) or a team's; `days` 0 = no expiry. */
  button_deploy: { rid: RID, sessionId: SESSION_ID, description: { kind: 'string', min: 1, max: 200 }, group: { kind: 'string', min: 8, max: 22, pattern: /^(personal|[A-Za-z0-9_-]{22})$/ }, days: { kind: 'int', min: 0, max: 3650 } },
  button_list: { rid: RID },
  button_remove: { rid: RID, buttonId: SESSION_ID },
  /** Round-trip probe to the customer client through a data channel (connection quality). */
  probe_open: { rid: RID, sessionId: SESSION_ID },
  /** Start (or join) the session's screen sharing; answered with a channel_ticket for a `screen` channel. */
  screen_open: { rid: RID, sessionId: SESSION_ID },
  /** The special actions this rep may run (needs the specialActions permission). */
  list_special_actions: { rid: RID },
  /** Run a special action on the customer's computer; owner or member of an active session. */
  special_action: { rid: RID, sessionId: SESSION_ID, actionId: SESSION_ID },
  /** Open a file view on the customer's system (F24): answered with `channel_ticket` for a `files` browse channel. */
  files_open: { rid: RID, sessionId: SESSION_ID },
  /** Start one file transfer: answered with `channel_ticket` for its own `files` channel. `size` is required for uploads. */
  file_transfer: {
    rid: RID,
    sessionId: SESSION_ID,
    direction: { kind: 'enum', values: ['upload', 'download'] },
    path: { kind: 'string', min: 1, max: 16_384 },
    size: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, optional: true },
    overwrite: { kind: 'bool', optional: true },
  },
  /** Start a command shell on the customer's computer (F23); answered with `channel_ticket` for its channel. */
  shell_open: { rid: RID, sessionId: SESSION_ID, cols: SHELL_COLS, rows: SHELL_ROWS },
  /** A ticket to view and type into a running shell of the session (after a reload, or another member's shell). */
  shell_attach: { rid: RID, sessionId: SESSION_ID, shellId: SESSION_ID },
  /** Stop a shell: its pty is closed on the customer's computer. */
  shell_close: { rid: RID, sessionId: SESSION_ID, shellId: SESSION_ID },
  /** The session's running shells; answered with `shells`. */
  shell_list: { rid: RID, sessionId: SESSION_ID },
  /**
   * Create (no itemId; needs the shellJump permission) or edit a Shell Jump item (F13); answered with `jump_item`.
   * Bounds are loose here so that a bad host, port or username gets SHELL_JUMP_BAD_TARGET naming the field.
   */
  shell_jump_save: {
    rid: RID,
    itemId: { ...SESSION_ID, optional: true },
    name: { kind: 'string', min: 1, max: 1000 },
    host: { kind: 'string', max: 1000 },
    port: { kind: 'int', min: -1_000_000, max: 1_000_000 },
    username: { kind: 'string', max: 1000 },
    group: { kind: 'string', min: 8, max: 22, pattern: /^(personal|[A-Za-z0-9_-]{22})$/ },
    policyId: { kind: 'string', max: 22, pattern: /^([A-Za-z0-9_-]{22})?$/ },
    fingerprint: { kind: 'string', max: 1000, optional: true },
  },
  /**
   * Jump to a Shell Jump item: the appliance connects over SSH and answers `shell_jump_started`. Credentials: a typed
   * password and/or private key (used for this jump only, never stored), or a vault `credentialId`. `trust`: the host-key
   * fingerprint the rep confirmed after SSH_HOSTKEY_UNKNOWN.
   */
  shell_jump_start: {
    rid: RID,
    itemId: SESSION_ID,
    cols: SHELL_COLS,
    rows: SHELL_ROWS,
    password: { kind: 'string', max: MAX_PASSWORD, optional: true },
    privateKey: { kind: 'string', max: MAX_PRIVATE_KEY, optional: true },
    passphrase: { kind: 'string', max: MAX_PASSWORD, optional: true },
    credentialId: { kind: 'string', min: 1, max: 121, pattern: CREDENTIAL_ID, optional: true },
    trust: { kind: 'string', max: 60, pattern: FINGERPRINT_PATTERN, optional: true },
    override: { kind: 'bool', optional: true },
  },
  /**
   * Create (no itemId; needs the shellJump permission) or edit a Remote VNC item (F13); answered with `jump_item`.
   * Bounds are loose here so that a bad host or port gets VNC_BAD_TARGET naming the field; no port = 5900.
   */
  vnc_jump_save: {
    rid: RID,
    itemId: { ...SESSION_ID, optional: true },
    name: { kind: 'string', min: 1, max: 1000 },
    host: { kind: 'string', max: 1000 },
    port: { kind: 'int', min: -1_000_000, max: 1_000_000, optional: true },
    group: { kind: 'string', min: 8, max: 22, pattern: /^(personal|[A-Za-z0-9_-]{22})$/ },
    policyId: { kind: 'string', max: 22, pattern: /^([A-Za-z0-9_-]{22})?$/ },
  },
  /**
   * Jump to a Remote VNC item: the appliance connects with RFB and answers `vnc_jump_started`. A typed `password`
   * (this jump only, never stored), a vault `credentialId` (kind password), or neither for a server without one.
   */
  vnc_jump_start: {
    rid: RID,
    itemId: SESSION_ID,
    password: { kind: 'string', max: MAX_VNC_PASSWORD, optional: true },
    credentialId: { kind: 'string', min: 1, max: 121, pattern: CREDENTIAL_ID, optional: true },
    override: { kind: 'bool', optional: true },
  },
  /** Vault credentials (F18) this rep may use, only those bound to `itemId`'s host when given; answered with `vault_credentials` (never a secret). */
  vault_list: { rid: RID, itemId: { ...SESSION_ID, optional: true } },
  /** Check a credential in that this rep has checked out (an administrator: any). */
  vault_checkin: { rid: RID, credentialId: SESSION_ID },
  /** Answers to a `shell_jump_prompt` (keyboard-interactive login); `cancel` fails that login. */
  shell_jump_answer: { rid: RID, promptId: { kind: 'string', min: 22, max: 22, pattern: ID_PATTERN }, answers: { kind: 'stringList', max: 20, itemMax: MAX_PASSWORD, optional: true }, cancel: { kind: 'bool', optional: true } },
} as const satisfies Record<string, Shape>;

export type ConsoleRequestType = keyof typeof CONSOLE_TO_APPLIANCE;
export type ConsoleRequest<T extends ConsoleRequestType> = Parsed<(typeof CONSOLE_TO_APPLIANCE)[T]>;

/** Why a console was signed out; the console shows a matching message. */
export type SignOutReason = 'logout' | 'elsewhere' | 'credentials' | 'disabled';

export interface QueueInfo {
  id: QueueId;
  kind: 'personal' | 'team';
  name: string;
  favourite: boolean;
}

export interface TeamChatMessage {
  teamId: string;
  seq: number;
  at: number;
  from: { id: string; name: string };
  body: string;
}

/** Where a session can be transferred: every team and every enabled rep. */
export interface TransferTargets {
  teams: Array<{ id: QueueId; name: string }>;
  reps: Array<{ id: QueueId; name: string; online: boolean }>;
}

/** Messages the appliance sends to the console. */
export type ApplianceToConsole =
  | {
      t: 'welcome';
      v: number;
      user: { id: string; username: string; displayName: string };
      queues: QueueInfo[];
      sessions: SessionSummary[];
      teamChat: TeamChatMessage[];
      targets: TransferTargets;
      /** What this rep may do (effective: own grant merged with their teams'). */
      permissions: RepPermissions;
    }
  | { t: 'pong'; n: number }
  | { t: 'ack'; rid: number }
  | { t: 'jump_items'; rid: number; items: JumpItem[] }
  /** A jump item the rep may see was added or changed (online, last accessed…). */
  | { t: 'jump_item'; item: JumpItem }
  /** The answer to `shell_jump_save`: the item as saved. */
  | { t: 'jump_item'; rid: number; item: JumpItem }
  | { t: 'vault_credentials'; rid: number; credentials: Array<{ id: string; name: string; username: string; kind: 'password' | 'private_key'; description: string; checkedOutBy: string | null; checkedOutByMe: boolean }> }
  /** A Shell Jump connected: its session (already owned by the rep, first shell running). */
  | { t: 'shell_jump_started'; rid: number; sessionId: string }
  | { t: 'vnc_jump_started'; rid: number; sessionId: string }
  /** The SSH server asks (keyboard-interactive): answer with `shell_jump_answer` within 110 s. */
  | { t: 'shell_jump_prompt'; promptId: string; itemId: string; name: string; instructions: string; prompts: SshPrompt[] }
  | { t: 'jump_gone'; itemId: string }
  | { t: 'buttons'; rid: number; buttons: SupportButton[] }
  /** A data channel was opened for the request `rid`: connect to `/ws/channel?t=<ticket>` within 30 s. */
  | { t: 'channel_ticket'; rid: number; channelId: string; ticket: string }
  /** A session the rep may see was created or changed; `entered` marks one that just entered one of the rep's queues. */
  | { t: 'session'; session: SessionSummary; entered: boolean }
  /** The rep can no longer see this session (moved elsewhere, ended, removed). */
  | { t: 'session_gone'; sessionId: string }
  | { t: 'session_detail'; rid: number; session: SessionSummary; chat: ChatMessage[]; events: SessionEvent[] }
  | { t: 'chat'; sessionId: string; msg: ChatMessage }
  | { t: 'event'; sessionId: string; event: SessionEvent }
  | { t: 'team_chat'; msg: TeamChatMessage }
  | { t: 'queues'; queues: QueueInfo[] }
  | { t: 'targets'; targets: TransferTargets }
  | { t: 'signed_out'; reason: SignOutReason }
  /** An administrator changed this rep's permissions (or their teams'): the new effective set. */
  | { t: 'permissions'; permissions: RepPermissions }
  | { t: 'special_actions'; rid: number; actions: SpecialActionInfo[] }
  /** The customer client was asked to run the action; its result follows as special_action_result. */
  | { t: 'special_action_started'; rid: number; sessionId: string; runId: string; name: string }
  /** To every member of the session: how a run ended. */
  | {
      t: 'special_action_result';
      sessionId: string;
      runId: string;
      name: string;
      outcome: SpecialActionOutcome;
      exitCode: number;
      output: string;
    }
  /** The running shells of a session: the answer to `shell_list` (with its rid) or pushed to members when they change. */
  | { t: 'shells'; rid: number; sessionId: string; shells: ShellInfo[] }
  | { t: 'shells'; sessionId: string; shells: ShellInfo[] }
  | { t: 'error'; rid?: number; code: ErrorCode; message: string; detail?: string };

/** Decodes one console message; throws a coded AppError for anything malformed. */
export function decodeConsoleMessage(text: string): { t: ConsoleRequestType; body: Record<string, unknown> } {
  return decodeMessage(CONSOLE_TO_APPLIANCE, text);
}

export function encodeConsoleMessage(msg: ApplianceToConsole): string {
  return JSON.stringify(msg);
}
