/**
 * Replay of a recorded command shell (asciicast v2, see
 * appliance/src/relay/asciicast.ts) in a modal dialog: an xterm.js terminal
 * of the recorded size plays the output events at their recorded times,
 * with play/pause and a restart. Long idle gaps are shortened to
 * MAX_IDLE_MS so a replay never shows minutes of nothing.
 */
import { Terminal } from '@xterm/xterm';
import { h } from '../ui/dom.ts';
import { bindText } from '../ui/i18n.ts';
import { installXtermStyleMirror } from './xterm-styles.ts';

/** Idle stretches longer than 2 s play as 2 s (like `asciinema play -i 2`). */
const MAX_IDLE_MS = 2000;

type CastEvent = [number, string, string];

function parseCast(text: string): { cols: number; rows: number; events: CastEvent[] } {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = JSON.parse(lines[0] ?? '{}') as { width?: number; height?: number };
  const events: CastEvent[] = [];
  for (const l of lines.slice(1)) {
    try {
      const e = JSON.parse(l) as CastEvent;
      if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[2] === 'string') events.push(e);
    } catch {
      // A damaged line is skipped; the rest still plays.
    }
  }
  return { cols: head.width ?? 80, rows: head.height ?? 24, events };
}

export function openShellReplay(url: string, title: string): void {
  const screen = h('div', { class: 'shell-replay-screen', attrs: { 'data-testid': 'shell-replay-screen' } });
  const play = h('button', { class: 'button primary small', text: 'console.shell.replay.pause', attrs: { type: 'button', 'data-action': 'replay-toggle' } });
  const restart = h('button', { class: 'button secondary small', text: 'console.shell.replay.restart', attrs: { type: 'button', 'data-action': 'replay-restart' } });
  const close = h('button', { class: 'button secondary small', text: 'common.close', attrs: { type: 'button', 'data-action': 'replay-close' } });
  const status = h('span', { class: 'muted', attrs: { 'data-testid': 'replay-status' } });
  const dialog = h(
    'dialog',
    { class: 'dialog shell-replay', attrs: { 'data-testid': 'shell-replay', 'aria-label': title } },
    h('h2', { raw: title }),
    screen,
    h('div', { class: 'dialog-buttons' }, status, play, restart, close),
  );
  document.body.append(dialog);
  installXtermStyleMirror();
  const term = new Terminal({ disableStdin: true, cursorBlink: false, fontSize: 13, theme: { background: '#111418', foreground: '#e6e6e6' } });
  term.open(screen);

  let events: CastEvent[] = [];
  let index = 0;
  let playing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setPlaying = (on: boolean): void => {
    playing = on;
    bindText(play, on ? 'console.shell.replay.pause' : 'console.shell.replay.play');
    dialog.dataset.playing = String(on);
    if (on) step();
    else clearTimeout(timer);
  };

  const step = (): void => {
    clearTimeout(timer);
    if (!playing) return;
    const e = events[index];
    if (!e) {
      setPlaying(false);
      bindText(status, 'console.shell.replay.done');
      return;
    }
    if (e[1] === 'o') term.write(e[2]);
    else if (e[1] === 'r') {
      const [cols, rows] = e[2].split('x').map(Number);
      if (cols && rows) term.resize(cols, rows);
    }
    index++;
    const next = events[index];
    const wait = next ? Math.min(MAX_IDLE_MS, Math.max(0, (next[0] - e[0]) * 1000)) : 0;
    timer = setTimeout(step, wait);
  };

  const begin = (): void => {
    term.reset();
    index = 0;
    status.textContent = '';
    setPlaying(true);
  };

  play.addEventListener('click', () => setPlaying(!playing));
  restart.addEventListener('click', begin);
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    clearTimeout(timer);
    term.dispose();
    dialog.remove();
  });
  dialog.showModal();

  fetch(url, { credentials: 'same-origin', cache: 'no-store' })
    .then((res) => (res.ok ? res.text() : Promise.reject(new Error(String(res.status)))))
    .then((text) => {
      const cast = parseCast(text);
      term.resize(cast.cols, cast.rows);
      events = cast.events;
      begin();
    })
    .catch(() => bindText(status, 'console.shell.replay.failed'));
}
