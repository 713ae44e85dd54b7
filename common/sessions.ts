/**
 * Support sessions as every part sees them: the summary that queue views and
 * clients receive, chat messages and session events. Events are data (a kind
 * and parameters); the console renders them through the message catalogue
 * (`event.<kind>`), so the log reads in the rep's language.
 */

/** `rep:<userId>` is a rep's personal queue; `team:<teamId>` a team queue. */
export type QueueId = `rep:${string}` | `team:${string}`;

export const QUEUE_ID_PATTERN = /^(rep|team):[A-Za-z0-9_-]{22}$/;

export function isQueueId(value: string): value is QueueId {
  return QUEUE_ID_PATTERN.test(value);
}

/** waiting: in a queue, nobody owns it; active: a rep owns it; ended: closed for good. */
export type SessionState = 'waiting' | 'active' | 'ended';
/** client: the customer client runs; browser: click-to-chat in the customer's browser; ssh: a Shell Jump (the appliance holds an SSH connection, no customer). */
export type SessionKind = 'client' | 'browser' | 'ssh' | 'vnc';
/** How the customer started: session key, picking a rep on the portal, the issue form, click-to-chat. */
export type SessionSource = 'key' | 'rep' | 'issue' | 'click_to_chat' | 'jump' | 'button';

export interface CustomerInfo {
  name: string;
  details: string;
  hostname: string;
  os: string;
  user: string;
  privateIps: string[];
  publicIp: string;
}

export interface Person {
  id: string;
  name: string;
}

export interface SessionSummary {
  id: string;
  kind: SessionKind;
  source: SessionSource;
  state: SessionState;
  queue: QueueId;
  queueName: string;
  queueKind: 'personal' | 'team';
  owner: Person | null;
  members: Person[];
  customer: CustomerInfo;
  customerConnected: boolean;
  createdAt: number;
  /** Problem type chosen on the portal's issue form, if any. */
  issue: string | null;
  /** Live invitations to join (F28): to a team (`team:<id>`) or a rep (`rep:<id>`). */
  invitations: InvitationInfo[];
}

export interface InvitationInfo {
  id: string;
  to: QueueId;
  toName: string;
  by: Person;
  at: number;
}

export type ChatAuthor = { kind: 'rep'; id: string; name: string } | { kind: 'customer'; name: string } | { kind: 'system' };

export interface ChatMessage {
  seq: number;
  at: number;
  from: ChatAuthor;
  body: string;
}

export const EVENT_KINDS = [
  'session_created',
  'customer_connected',
  'customer_disconnected',
  'rep_joined',
  'rep_left',
  'accepted',
  'transferred',
  'paused',
  'requeued_after_disconnect',
  'ended',
  'special_action_run',
  'special_action_done',
  'special_action_refused',
  'special_action_failed',
  'rep_removed',
  'invited',
  'invitation_withdrawn',
  'invitation_declined',
  'customer_dismissed',
  'button_deployed',
  'elevation_offered',
  'customer_elevated',
  'jump_pinned',
  'jump_started',
  'screen_view_allowed',
  'screen_view_refused',
  'screen_view_started',
  'screen_view_stopped',
  'screen_control_allowed',
  'screen_control_refused',
  'screen_control_released',
  'screen_control_ended',
  'screen_privacy_on',
  'screen_privacy_off',
  'file_uploaded',
  'file_downloaded',
  'file_deleted',
  'file_renamed',
  'folder_created',
  'shell_started',
  'shell_opened',
  'shell_closed',
  'shell_stopped',
  'shell_jump_started',
  'shell_jump_ended',
  'shell_jump_hostkey_trusted',
  'vnc_jump_started',
  'vnc_jump_ended',
  'vault_checked_out',
  'vault_checked_in',
  'vault_injected',
] as const;
export type SessionEventKind = (typeof EVENT_KINDS)[number];

export interface SessionEvent {
  seq: number;
  at: number;
  kind: SessionEventKind;
  /** Who did it, when a person did. */
  actor: string | null;
  /** Kind-specific values, e.g. `{ to: 'Tier 1' }` for transferred. */
  params: Record<string, string>;
}

/** Longest chat message: 4000 characters, like common chat tools. */
export const MAX_CHAT_LENGTH = 4000;
/** Chat and events a console gets when it opens a session (older ones stay in the report). */
export const HISTORY_LIMIT = 200;
