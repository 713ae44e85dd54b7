/**
 * Click-to-chat (F11): the customer's chat with support in the portal page,
 * over `/ws/customer`. The first `hello` carries the access token and the
 * customer's name; `joined` gives a resume secret, kept in sessionStorage so
 * a reload or a network cut reconnects to the same session
 * (`hello {resume}`), retrying after 1 s, doubling to 15 s. The panel shows
 * the state (waiting, which rep joined), the chat both ways and the end.
 */
import type { ApplianceToCustomer } from '../../../common/customer-protocol.ts';
import { PROTOCOL_VERSION } from '../../../common/protocol.ts';
import type { ChatMessage } from '../../../common/sessions.ts';
import { h } from '../ui/dom.ts';
import { bindAttrs, bindText } from '../ui/i18n.ts';

/** sessionStorage key for the resume secret: per tab, gone when the tab closes. */
export const RESUME_STORAGE_KEY = 'relaydesk.chat.resume';
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 15_000;
/** 25 s: under the appliance's 60 s idle timeout on /ws/customer. */
const KEEPALIVE_MS = 25_000;

export function storedResume(): string | undefined {
  try {
    return sessionStorage.getItem(RESUME_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function remember(resume: string | undefined): void {
  try {
    if (resume) sessionStorage.setItem(RESUME_STORAGE_KEY, resume);
    else sessionStorage.removeItem(RESUME_STORAGE_KEY);
  } catch {
    // Without storage a reload starts over; the live chat still works.
  }
}

export function customerChat(start: { token: string; name: string } | { resume: string }): HTMLElement {
  const state = h('p', { class: 'chat-state', attrs: { id: 'chat-state', role: 'status' } });
  const log = h('ol', { class: 'chat-log', attrs: { id: 'customer-chat-log', role: 'log', 'aria-live': 'polite' } });
  bindAttrs(log, { 'aria-label': 'portal.chat.title' });
  const input = h('textarea', { class: 'chat-input', attrs: { id: 'customer-chat-input', rows: '2', maxlength: '4000', disabled: true } });
  bindAttrs(input, { 'aria-label': 'portal.chat.input', placeholder: 'portal.chat.input' });
  const send = h('button', { class: 'button primary small', text: 'portal.chat.send', attrs: { type: 'submit', id: 'customer-chat-send', disabled: true } });
  const form = h('form', { class: 'chat-form' }, input, send);
  // F26: when the rep offers the full client, a download that joins this very session.
  const offer = h('div', { class: 'notice notice-info elevate-offer', attrs: { id: 'elevate-offer', hidden: true, role: 'status' } });
  const panel = h(
    'section',
    { class: 'card customer-chat', attrs: { id: 'customer-chat', 'aria-labelledby': 'customer-chat-title' } },
    h('h2', { text: 'portal.chat.title', attrs: { id: 'customer-chat-title' } }),
    state,
    h('div', { class: 'chat' }, log, form),
    offer,
  );

  let ws: WebSocket | undefined;
  let resume = 'resume' in start ? start.resume : undefined;
  let delay = RETRY_FIRST_MS;
  let ended = false;
  let myName = 'name' in start ? start.name : '';
  const seen = new Set<number>();
  let pings = 0;
  const keepalive = setInterval(() => {
    if (!panel.isConnected && ended) return clearInterval(keepalive);
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'ping', n: ++pings }));
  }, KEEPALIVE_MS);

  const setState = (s: string, reps: string[]): void => {
    if (s === 'waiting') bindText(state, 'portal.chat.waiting');
    else if (s === 'active') bindText(state, 'portal.chat.joined', { name: reps.join(', ') });
    else bindText(state, 'portal.chat.ended');
    state.dataset.state = s;
  };
  const addLine = (m: ChatMessage): void => {
    if (seen.has(m.seq)) return;
    seen.add(m.seq);
    const mine = m.from.kind === 'customer';
    const from = m.from.kind === 'system' ? undefined : m.from.kind === 'customer' ? myName || m.from.name : m.from.name;
    log.append(h('li', { class: mine ? 'chat-line mine' : m.from.kind === 'system' ? 'chat-line system' : 'chat-line' }, from ? h('span', { class: 'chat-meta' }, h('span', { class: 'chat-from', raw: from })) : null, h('span', { class: 'chat-body', raw: m.body })));
    log.scrollTop = log.scrollHeight;
  };
  const finish = (key: 'portal.chat.ended' | 'portal.chat.lost'): void => {
    ended = true;
    remember(undefined);
    input.disabled = send.disabled = true;
    bindText(state, key);
    state.dataset.state = 'ended';
    ws?.close(1000);
  };

  const handlers: { [T in ApplianceToCustomer['t']]: (m: Extract<ApplianceToCustomer, { t: T }>) => void } = {
    joined: (m) => {
      resume = m.resume;
      remember(m.resume);
      delay = RETRY_FIRST_MS;
      input.disabled = send.disabled = false;
      for (const c of m.chat) addLine(c);
      setState(m.state, m.reps);
    },
    state: (m) => (m.state === 'ended' ? finish('portal.chat.ended') : setState(m.state, m.reps)),
    chat: (m) => addLine(m.msg),
    end: () => finish('portal.chat.ended'),
    pong: () => undefined,
    // Click-to-chat has no data channels; the appliance never offers one to a browser customer.
    channel: () => undefined,
    // Never sent to a browser chat (the appliance refuses with CLIENT_UNSUPPORTED).
    special_action: () => undefined,
    jump_pin: () => undefined,
    button_install: () => undefined,
    elevate: (m) => {
      offer.replaceChildren(
        h('p', { text: 'portal.elevate.text' }),
        h('p', {}, h('a', { class: 'button primary', text: 'portal.elevate.download', attrs: { href: m.download, id: 'elevate-download', download: 'relaydesk-client.mjs' } })),
        h('p', { class: 'hint', text: 'portal.elevate.run' }),
        h('pre', {}, h('code', { raw: 'node relaydesk-client.mjs' })),
      );
      offer.hidden = false;
    },
    error: (m) => {
      if (m.code === 'RESUME_UNKNOWN' || m.code.startsWith('KEY_')) finish('portal.chat.lost');
    },
  };

  const connect = (): void => {
    if (ended) return;
    const socket = new WebSocket(`wss://${location.host}/ws/customer`);
    ws = socket;
    bindText(state, 'portal.chat.connecting');
    socket.addEventListener('open', () => {
      const hello = resume ? { t: 'hello', v: PROTOCOL_VERSION, resume } : { t: 'hello', v: PROTOCOL_VERSION, token: (start as { token: string }).token, name: myName };
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener('message', (ev) => {
      let msg: ApplianceToCustomer;
      try {
        msg = JSON.parse(String(ev.data)) as ApplianceToCustomer;
      } catch {
        return;
      }
      const fn = handlers[msg.t] as ((m: ApplianceToCustomer) => void) | undefined;
      fn?.(msg);
    });
    socket.addEventListener('close', () => {
      if (ws !== socket || ended) return;
      input.disabled = send.disabled = true;
      bindText(state, 'portal.chat.reconnecting');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    });
  };

  const submit = (): void => {
    const body = input.value.trim();
    if (!body || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ t: 'chat', body }));
    input.value = '';
    input.focus();
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
  connect();
  return panel;
}
