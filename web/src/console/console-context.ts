/**
 * What every console view gets: the store (read), the link (requests), the
 * frame's notice line, and navigation between Home and session views.
 */
import type { ConsoleLink } from '../net/console-link.ts';
import type { Notice } from '../ui/notice.ts';
import type { ConsoleStore } from './console-store.ts';

export interface ConsoleContext {
  readonly store: ConsoleStore;
  readonly link: ConsoleLink;
  readonly notice: Notice;
  /** Shows a session's view (opening it on first use). */
  openSession(sessionId: string): void;
  /** Shows Home, optionally with a session selected in its queue. */
  showHome(select?: { queue: string; sessionId: string }): void;
  /** Whether this session's chat is on screen right now (for unread counting). */
  readingChat(sessionId: string): boolean;
}
