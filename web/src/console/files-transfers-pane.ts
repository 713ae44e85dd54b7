/**
 * The transfers pane under the file view: one line per upload or download
 * with its direction, name, a progress bar, bytes and speed, a Cancel button
 * while it runs, and at the end the outcome — "SHA-256 OK" when both ends
 * computed the same checksum, else the mismatch or the coded error.
 * Redraws are batched to one per animation frame however often progress
 * reports come.
 */
import { h } from '../ui/dom.ts';
import { bindError } from '../ui/error-text.ts';
import { bindText } from '../ui/i18n.ts';
import type { Transfer } from './files-transfer.ts';
import { formatBytes } from './format.ts';

export interface TransfersPane {
  readonly el: HTMLElement;
  add(t: Transfer): Transfer;
  /** Something in a transfer changed: redraw (at most once per frame). */
  changed(): void;
  dispose(): void;
}

function speedOf(t: Transfer): number {
  const ms = (t.endedAt ?? Date.now()) - t.startedAt;
  return ms > 0 ? (t.done * 1000) / ms : 0;
}

interface Line {
  li: HTMLLIElement;
  update(): void;
}

/** One transfer's line; `update` refreshes it in place (so a Cancel click is never lost to a redraw). */
function line(t: Transfer): Line {
  const bar = h('progress', { attrs: { 'aria-label': t.name } });
  const name = h('span', { class: 'transfer-name' });
  const amount = h('span', { class: 'transfer-amount muted' });
  const speed = h('span', { class: 'transfer-speed muted' });
  const outcome = h('span', { class: 'transfer-outcome', attrs: { 'data-testid': 'transfer-outcome' } });
  const cancel = h('button', { class: 'button secondary small', text: 'common.cancel', attrs: { type: 'button', 'data-action': 'transfer-cancel' }, on: { click: () => t.cancel() } });
  const li = h(
    'li',
    { class: 'transfer-line', attrs: { 'data-direction': t.direction } },
    h('span', { class: 'transfer-dir', text: t.direction === 'upload' ? 'files.transfer.up' : 'files.transfer.down' }),
    name,
    bar,
    amount,
    speed,
    outcome,
    cancel,
  );
  let shownState = '';
  const update = (): void => {
    li.dataset.state = t.state;
    li.dataset.name = t.name;
    li.title = t.sha256 ? `SHA-256 ${t.sha256}` : t.remotePath;
    name.textContent = t.name;
    if (t.total !== null) {
      bar.max = Math.max(1, t.total);
      bar.value = t.done;
    } else if (t.state !== 'running') {
      bar.max = 1;
      bar.value = 1;
    } else bar.removeAttribute('value');
    amount.textContent = t.total !== null ? `${formatBytes(t.done)} / ${formatBytes(t.total)}` : formatBytes(t.done);
    speed.textContent = `${formatBytes(Math.round(speedOf(t)))}/s`;
    cancel.hidden = t.state !== 'running';
    const state = `${t.state}:${t.checksum}`;
    if (state === shownState) return;
    shownState = state;
    outcome.className = `transfer-outcome transfer-${t.state}`;
    if (t.state === 'running') bindText(outcome, 'files.transfer.running');
    else if (t.state === 'done') bindText(outcome, 'files.transfer.checksumOk');
    else if (t.state === 'cancelled') bindText(outcome, 'files.transfer.cancelled');
    else if (t.checksum === 'mismatch') bindText(outcome, 'files.transfer.checksumBad');
    else bindError(outcome, t.error);
  };
  update();
  return { li, update };
}

export function transfersPane(): TransfersPane {
  const list = h('ol', { class: 'transfer-list', attrs: { 'data-testid': 'transfers' } });
  const empty = h('p', { class: 'muted', text: 'files.transfers.empty' });
  const el = h('section', { class: 'transfers-pane card' }, h('h3', { text: 'files.transfers' }), empty, list);
  const lines: Line[] = [];
  let frame = 0;
  const draw = (): void => {
    frame = 0;
    empty.hidden = lines.length > 0;
    for (const l of lines) l.update();
  };
  const items: Transfer[] = [];
  return {
    el,
    add(t) {
      items.push(t);
      const l = line(t);
      lines.push(l);
      list.prepend(l.li);
      draw();
      return t;
    },
    changed() {
      if (!frame) frame = requestAnimationFrame(draw);
    },
    dispose() {
      if (frame) cancelAnimationFrame(frame);
      for (const t of items) t.cancel();
    },
  };
}
