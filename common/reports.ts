/**
 * Session reports (F32): what the appliance kept about a session, for the
 * reps who took part and for administrators. Shared by the report API and
 * the report pages.
 */
import type { ChatMessage, CustomerInfo, Person, SessionEvent, SessionKind, SessionState } from './sessions.ts';

export interface SessionReportRow {
  id: string;
  kind: SessionKind;
  state: SessionState;
  createdAt: number;
  endedAt: number | null;
  /** Until the end, or until now for a session that is still open. */
  durationMs: number;
  customer: CustomerInfo;
  owner: Person | null;
  /** Every rep who was ever a member. */
  reps: Person[];
  queueName: string;
  issue: string | null;
}

/** Something a feature kept for the report: a shell recording, a moved file… */
export interface ReportAttachment {
  kind: string;
  title: string;
  at: number;
  /** Links to what can be fetched (a recording, a transcript), same origin. */
  links: Array<{ label: string; href: string }>;
}

export interface SessionReport extends SessionReportRow {
  events: SessionEvent[];
  chat: ChatMessage[];
  attachments: ReportAttachment[];
}

/** At most 200 rows per page. */
export const MAX_REPORT_ROWS = 200;
