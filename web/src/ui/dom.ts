/**
 * `h`, the one element factory the screens use instead of HTML strings (the
 * CSP forbids inline styles and scripts, and strings invite injection). Text
 * comes from the catalogue through `text` (a key) or `raw` (user data, set as
 * textContent, never parsed).
 */
import { bindAttrs, bindText, type Args, type MessageKey } from './i18n.ts';

export type Child = Node | string | null | undefined | false;

export interface Props {
  /** Catalogue key for the element's text. */
  text?: MessageKey;
  args?: Args;
  /** Literal text (user data). */
  raw?: string;
  /** Catalogue keys for attributes, e.g. `{ title: 'x.y' }`. */
  i18nAttrs?: Readonly<Record<string, MessageKey>>;
  class?: string;
  /** Other attributes; `true` sets an empty attribute, `false`/undefined omits it. */
  attrs?: Readonly<Record<string, string | boolean | undefined>>;
  on?: { [E in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[E]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === true) el.setAttribute(name, '');
    else if (typeof value === 'string') el.setAttribute(name, value);
  }
  if (props.text) bindText(el, props.text, props.args);
  else if (props.raw !== undefined) el.textContent = props.raw;
  if (props.i18nAttrs) bindAttrs(el, props.i18nAttrs);
  for (const [type, fn] of Object.entries(props.on ?? {})) el.addEventListener(type, fn as EventListener);
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replaces all children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** A labelled input (label wraps nothing; `for` links it) with an optional hint. */
export function field(id: string, label: MessageKey, input: HTMLInputElement | HTMLSelectElement, hint?: MessageKey): HTMLElement {
  input.id = id;
  const wrap = h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }), input);
  if (hint) {
    const hintEl = h('p', { class: 'hint', text: hint, attrs: { id: `${id}-hint` } });
    input.setAttribute('aria-describedby', hintEl.id);
    wrap.append(hintEl);
  }
  return wrap;
}
