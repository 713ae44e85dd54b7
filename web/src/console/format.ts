/**
 * Small display helpers shared by the console views: elapsed time as
 * h:mm:ss, a time of day in the page language, and the message keys for a
 * session's type and status.
 */
import type { SessionSummary } from '../../../common/sessions.ts';
import { lang, type MessageKey } from '../ui/i18n.ts';

/** Elapsed time as `h:mm:ss` (hours are not capped: a long session reads 27:04:10). */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  return `${hours}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatDateTime(at: number): string {
  return new Date(at).toLocaleString(lang(), { dateStyle: 'medium', timeStyle: 'short' });
}

export function statusKey(s: SessionSummary): MessageKey {
  return s.state === 'waiting' ? 'console.status.waiting' : s.state === 'active' ? 'console.status.active' : 'console.status.ended';
}

export function queueTypeKey(s: SessionSummary): MessageKey {
  return s.queueKind === 'personal' ? 'console.queueType.personal' : 'console.queueType.team';
}

/** "Client" or "[Browser] Client"-style type cell text key. */
export function kindKey(s: SessionSummary): MessageKey {
  return s.kind === 'browser' ? 'console.kind.browser' : s.kind === 'ssh' ? 'console.kind.ssh' : s.kind === 'vnc' ? 'console.kind.vnc' : 'console.kind.client';
}

/** The customer's name, or a neutral placeholder key when the customer gave none. */
export function customerName(s: SessionSummary): string {
  return s.customer.name || s.customer.hostname || '—';
}

/**
 * Keeps `[data-since]` elements under `root` ticking once a second; returns a
 * stop function. One timer per view, not per row.
 */
export function tickElapsed(root: HTMLElement): () => void {
  const tick = (): void => {
    const now = Date.now();
    for (const el of root.querySelectorAll<HTMLElement>('[data-since]')) el.textContent = formatElapsed(now - Number(el.dataset.since));
  };
  tick();
  let seen = root.isConnected;
  const timer = setInterval(() => {
    // A view dropped from the page (logout, sign-out) stops its own timer.
    if (!root.isConnected && seen) return clearInterval(timer);
    seen ||= root.isConnected;
    tick();
  }, 1000);
  return () => clearInterval(timer);
}

/** Bytes as B, KB, MB, GB (powers of 1024, one decimal above KB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
