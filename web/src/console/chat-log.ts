/**
 * A chat transcript plus send box, used for session chat (F20) and team chat
 * (F8). The log is a `role=log` region (screen readers announce additions);
 * the box sends on Enter (Shift+Enter for a new line) and keeps its text if
 * sending fails.
 */
import { h } from '../ui/dom.ts';
import { bindAttrs, type MessageKey } from '../ui/i18n.ts';
import { formatTime } from './format.ts';

export interface ChatLine {
  at: number;
  /** Display name, or undefined for a system line. */
  from: string | undefined;
  mine: boolean;
  body: string;
}

export interface ChatLog {
  readonly el: HTMLElement;
  readonly input: HTMLTextAreaElement;
  add(line: ChatLine): void;
  reset(lines: readonly ChatLine[]): void;
}

export function chatLog(id: string, label: MessageKey, send: (body: string) => Promise<void>): ChatLog {
  const log = h('ol', { class: 'chat-log', attrs: { id: `${id}-log`, role: 'log', 'aria-live': 'polite' } });
  bindAttrs(log, { 'aria-label': label });
  const input = h('textarea', { class: 'chat-input', attrs: { id: `${id}-input`, rows: '2', maxlength: '4000' } });
  bindAttrs(input, { 'aria-label': 'console.chat.input', placeholder: 'console.chat.input' });
  const button = h('button', { class: 'button primary small', text: 'console.chat.send', attrs: { type: 'submit', id: `${id}-send` } });
  const form = h('form', { class: 'chat-form' }, input, button);
  const submit = (): void => {
    const body = input.value.trim();
    if (!body) return;
    button.disabled = true;
    send(body).then(
      () => {
        input.value = '';
        button.disabled = false;
        input.focus();
      },
      () => {
        button.disabled = false;
      },
    );
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      submit();
    }
  });
  const line = (l: ChatLine): HTMLElement =>
    h(
      'li',
      { class: l.from === undefined ? 'chat-line system' : l.mine ? 'chat-line mine' : 'chat-line' },
      h('span', { class: 'chat-meta' }, h('time', { raw: formatTime(l.at), attrs: { datetime: new Date(l.at).toISOString() } }), l.from !== undefined ? h('span', { class: 'chat-from', raw: l.from }) : null),
      h('span', { class: 'chat-body', raw: l.body }),
    );
  const scroll = (): void => {
    log.scrollTop = log.scrollHeight;
  };
  return {
    el: h('div', { class: 'chat', attrs: { id } }, log, form),
    input,
    add(l) {
      log.append(line(l));
      scroll();
    },
    reset(lines) {
      log.replaceChildren(...lines.map(line));
      scroll();
    },
  };
}
