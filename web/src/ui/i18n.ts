/**
 * The page's language. Texts are bound to elements by key (`data-i18n`,
 * `data-i18n-args`, `data-i18n-suffix`, and `data-i18n-attrs` for
 * attributes), so switching the language rewrites every bound text in place:
 * no reload, no re-render, form contents and focus stay. The choice is
 * stored in localStorage `relaydesk.lang`; without one, `navigator.languages`
 * decides.
 */
import { LANGUAGES, MESSAGES, format, pickLanguage, type Lang, type MessageKey } from '../../../common/messages.ts';

export type { Lang, MessageKey };
export type Args = Readonly<Record<string, string | number>>;

/** localStorage key holding the user's choice; shared by every page. */
export const LANG_STORAGE_KEY = 'relaydesk.lang';

let current: Lang = initialLanguage();
const listeners = new Set<(lang: Lang) => void>();

function initialLanguage(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    // Storage can be off (privacy modes); fall back to the browser's list.
  }
  if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Lang;
  return pickLanguage(navigator.languages ?? [navigator.language]);
}

export function lang(): Lang {
  return current;
}

/** The text for `key` in the current language. */
export function t(key: MessageKey, args?: Args): string {
  return format(MESSAGES[current][key], args);
}

/** Sets `el`'s text to `key` and keeps it in step with language switches. */
export function bindText<E extends HTMLElement>(el: E, key: MessageKey, args?: Args, suffix?: string): E {
  el.dataset.i18n = key;
  if (args) el.dataset.i18nArgs = JSON.stringify(args);
  else delete el.dataset.i18nArgs;
  if (suffix) el.dataset.i18nSuffix = suffix;
  else delete el.dataset.i18nSuffix;
  el.textContent = t(key, args) + (suffix ?? '');
  return el;
}

/** Binds attributes (title, placeholder, aria-label …) to catalogue keys. */
export function bindAttrs<E extends HTMLElement>(el: E, attrs: Readonly<Record<string, MessageKey>>): E {
  el.dataset.i18nAttrs = JSON.stringify(attrs);
  for (const [name, key] of Object.entries(attrs)) el.setAttribute(name, t(key));
  return el;
}

/** Rewrites every bound text and attribute under `root`. */
export function localize(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const args = el.dataset.i18nArgs ? (JSON.parse(el.dataset.i18nArgs) as Args) : undefined;
    el.textContent = t(el.dataset.i18n as MessageKey, args) + (el.dataset.i18nSuffix ?? '');
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attrs]')) {
    const attrs = JSON.parse(el.dataset.i18nAttrs ?? '{}') as Record<string, MessageKey>;
    for (const [name, key] of Object.entries(attrs)) el.setAttribute(name, t(key));
  }
  document.documentElement.lang = current;
}

/** Switches the language, remembers it, and rewrites the page. */
export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(LANG_STORAGE_KEY, next);
  } catch {
    // Not stored; the switch still applies to this page.
  }
  localize();
  for (const fn of listeners) fn(next);
}

/** Called after every switch, for texts that are not bound (e.g. formatted numbers). */
export function onLangChange(fn: (lang: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
