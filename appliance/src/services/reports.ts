/**
 * Session reports (F32): listing and reading what was kept about sessions.
 * An administrator sees every session; any other rep sees the sessions they
 * were ever a member of, and nothing else (an unknown and a forbidden
 * session look the same: SESSION_UNKNOWN). Features add what they keep for
 * a session (shell recordings, moved files) through `addAttachments`.
 *
 * Listing scans the session keyspace and sorts by start time: fine for the
 * tens of thousands of sessions a single appliance keeps; a time index is
 * the next step if that ever shows in a profile.
 */
import { AppError } from '../../../common/errors.ts';
import { MESSAGES, format, type Lang, type MessageKey } from '../../../common/messages.ts';
import { MAX_REPORT_ROWS, type ReportAttachment, type SessionReport, type SessionReportRow } from '../../../common/reports.ts';
import type { SessionRecord } from '../domain/sessions.ts';
import type { SessionStore } from '../store/sessions.ts';
import type { UserStore } from '../store/users.ts';

export interface ReportFilter {
  /** Matches customer name, host name, user, public address or a rep's name (case-insensitive). */
  text?: string;
  /** Sessions started at or after this time (ms). */
  from?: number;
  /** Sessions started before this time (ms). */
  to?: number;
  /** Page size, at most MAX_REPORT_ROWS. */
  limit?: number;
}

export interface Viewer {
  readonly id: string;
  readonly admin: boolean;
}

export type AttachmentProvider = (sessionId: string) => ReportAttachment[];

export class ReportService {
  private readonly providers: AttachmentProvider[] = [];

  constructor(
    private readonly sessions: SessionStore,
    private readonly users: UserStore,
    private readonly queueName: (s: SessionRecord) => string,
    private readonly now: () => number = Date.now,
  ) {}

  addAttachments(provider: AttachmentProvider): void {
    this.providers.push(provider);
  }

  private participants(s: SessionRecord): string[] {
    return s.participants ?? s.members;
  }

  private person(id: string): { id: string; name: string } {
    return { id, name: this.users.get(id)?.displayName ?? '?' };
  }

  private mayRead(viewer: Viewer, s: SessionRecord): boolean {
    return viewer.admin || this.participants(s).includes(viewer.id);
  }

  private row(s: SessionRecord): SessionReportRow {
    return {
      id: s.id,
      kind: s.kind,
      state: s.state,
      createdAt: s.createdAt,
      endedAt: s.endedAt,
      durationMs: Math.max(0, (s.endedAt ?? this.now()) - s.createdAt),
      customer: s.customer,
      owner: s.owner ? this.person(s.owner) : null,
      reps: this.participants(s).map((id) => this.person(id)),
      queueName: this.queueName(s),
      issue: s.issue,
    };
  }

  /** Newest first. */
  list(viewer: Viewer, filter: ReportFilter = {}): { rows: SessionReportRow[]; more: boolean } {
    const limit = Math.min(Math.max(1, filter.limit ?? 50), MAX_REPORT_ROWS);
    const text = filter.text?.trim().toLowerCase() ?? '';
    const hits: SessionRecord[] = [];
    for (const s of this.sessions.all()) {
      if (!this.mayRead(viewer, s)) continue;
      if (filter.from !== undefined && s.createdAt < filter.from) continue;
      if (filter.to !== undefined && s.createdAt >= filter.to) continue;
      if (text && !this.matches(s, text)) continue;
      hits.push(s);
    }
    hits.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
    return { rows: hits.slice(0, limit).map((s) => this.row(s)), more: hits.length > limit };
  }

  private matches(s: SessionRecord, text: string): boolean {
    const c = s.customer;
    const hay = [c.name, c.hostname, c.user, c.publicIp, c.details, s.issue ?? '', ...this.participants(s).map((id) => this.users.get(id)?.displayName ?? '')];
    return hay.some((v) => v.toLowerCase().includes(text));
  }

  read(viewer: Viewer, sessionId: string): SessionReport {
    const s = this.sessions.get(sessionId);
    if (!s || !this.mayRead(viewer, s)) throw new AppError('SESSION_UNKNOWN');
    const attachments = this.providers.flatMap((p) => p(sessionId)).sort((a, b) => a.at - b.at);
    return { ...this.row(s), events: this.sessions.fullHistory('events', s.id), chat: this.sessions.fullHistory('chat', s.id), attachments };
  }

  /** The report as plain text, for download and archiving. Times are UTC (ISO 8601). */
  text(viewer: Viewer, sessionId: string, lang: Lang): string {
    const r = this.read(viewer, sessionId);
    const m = MESSAGES[lang];
    const t = (key: MessageKey, args: Record<string, string | number> = {}): string => format(m[key], args);
    const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
    const lines = [
      t('reports.text.title', { id: r.id }),
      `${t('reports.col.customer')}: ${r.customer.name}${r.customer.hostname ? ` (${r.customer.hostname})` : ''}`,
      `${t('reports.col.started')}: ${iso(r.createdAt)}`,
      `${t('reports.col.ended')}: ${r.endedAt ? iso(r.endedAt) : '—'}`,
      `${t('reports.col.duration')}: ${Math.round(r.durationMs / 1000)} s`,
      `${t('reports.col.reps')}: ${r.reps.map((p) => p.name).join(', ') || '—'}`,
      `${t('reports.col.queue')}: ${r.queueName}`,
      '',
      `== ${t('reports.section.events')}`,
      ...r.events.map((e) => `${iso(e.at)}  ${format(m[`event.${e.kind}` as MessageKey] ?? e.kind, { actor: e.actor ?? '—', ...e.params })}`),
      '',
      `== ${t('reports.section.chat')}`,
      ...r.chat.map((c) => `${iso(c.at)}  ${c.from.kind === 'system' ? '*' : c.from.name}: ${c.body.replace(/\n/g, '\n' + ' '.repeat(22))}`),
    ];
    if (r.attachments.length > 0) {
      lines.push('', `== ${t('reports.section.attachments')}`, ...r.attachments.map((a) => `${iso(a.at)}  ${a.title}${a.links.length ? `  (${a.links.map((l) => l.href).join(', ')})` : ''}`));
    }
    return `${lines.join('\n')}\n`;
  }
}
