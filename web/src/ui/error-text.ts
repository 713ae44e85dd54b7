/**
 * Turns a failure into catalogue text bound to an element, so it follows
 * language switches. The server's `detail` is shown only where it helps the
 * reader (a field name, a wait time); never for codes where it is internal.
 */
import { ApiError } from '../net/api.ts';
import { bindText, type MessageKey } from './i18n.ts';

/** Codes whose `detail` names something the user can act on. */
const DETAIL_HELPS = new Set(['BAD_FIELD', 'UNKNOWN_FIELD', 'NAME_TAKEN']);

export function bindError(el: HTMLElement, err: unknown): HTMLElement {
  if (!(err instanceof ApiError)) return bindText(el, 'error.INTERNAL');
  if (err.code === 'THROTTLED' && err.detail && /^\d+$/.test(err.detail)) return bindText(el, 'error.THROTTLED.wait', { s: err.detail });
  if (err.code === 'unexpected') return bindText(el, 'error.unexpected', { status: err.status });
  const key = `error.${err.code}` as MessageKey;
  const suffix = err.detail && DETAIL_HELPS.has(err.code) ? ` (${err.detail})` : undefined;
  return bindText(el, key, undefined, suffix);
}
