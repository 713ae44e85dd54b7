/**
 * Text shown in the customer's terminal: chat lines with time and author,
 * and the lists of representative names. Everything that came over the
 * network is stripped of control characters first, so a chat message cannot
 * move the cursor, recolour the terminal or rewrite earlier lines.
 */
import type { ChatMessage } from '../../../common/sessions.ts';

/** C0 controls except tab and newline, DEL, and C1 controls (ESC-free CSI is 0x9b). */
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function clean(text: string): string {
  return text.replace(CONTROL_CHARS, '');
}

/** Local wall-clock time, HH:MM. */
export function clock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function author(msg: ChatMessage): string {
  if (msg.from.kind === 'customer') return 'You';
  if (msg.from.kind === 'rep') return clean(msg.from.name);
  return 'RelayDesk';
}

/** `[14:05] Alice: text`; continuation lines are indented under the text. */
export function formatChat(msg: ChatMessage): string {
  const head = `[${clock(msg.at)}] ${author(msg)}: `;
  const [first, ...rest] = clean(msg.body).split('\n');
  return [head + first, ...rest.map((l) => ' '.repeat(head.length) + l)].join('\n');
}

/** "Alice", "Alice and Bob", "Alice, Bob and Carol". */
export function nameList(names: readonly string[]): string {
  const n = names.map(clean);
  if (n.length <= 1) return n[0] ?? '';
  return `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`;
}

/** Seconds for status lines: "0.5 s", "2 s", "15 s". */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 1 ? s.toFixed(1) : Math.round(s)} s`;
}
