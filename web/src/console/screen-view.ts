/**
 * The Screen panel of a session view (F22): start/stop sharing, the remote
 * screen on a canvas (screen-stream.ts), and the tools — request/release
 * control, privacy screen, Ctrl-Alt-Del, a small virtual keyboard, clipboard
 * sync (navigator.clipboard where the browser allows it, a paste box
 * otherwise), monitor choice (P marks the primary), colour mode, fit or
 * actual size, full screen with Keyboard Lock where available.
 *
 * Buttons follow the rep's live permissions (`screen` none/view/control,
 * `privacyScreen`); the appliance checks every request again. Input handlers
 * are attached to the canvas only while this rep holds control.
 */
import { MODE_NAMES_LIST, type ScreenMode } from '../../../common/screen-modes.ts';
import type { ApplianceToViewer, ControlState, ViewerStatus } from '../../../common/screen-protocol.ts';
import { loadMediaCore, type MediaCore } from '../../../wasm/src/index.ts';
import { ApiError } from '../net/api.ts';
import { openChannel } from '../net/channel-socket.ts';
import { isErrorCode, type ErrorCode } from '../../../common/errors.ts';
import { h, replace } from '../ui/dom.ts';
import { bindText, type MessageKey } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';
import { attachInput } from './screen-input.ts';
import { KEYSYM } from './screen-keys.ts';
import { ScreenStream, type ScreenInfo } from './screen-stream.ts';

export interface ScreenPanel {
  readonly el: HTMLElement;
  dispose(): void;
}

let corePromise: Promise<MediaCore> | undefined;
/** The media core, fetched once per page (dist/web/media-core.wasm at /assets/, served as application/wasm). */
function mediaCore(): Promise<MediaCore> {
  corePromise ??= fetch('/assets/media-core.wasm').then((r) => {
    if (!r.ok) throw new Error(`media core: HTTP ${r.status}`);
    return r.arrayBuffer();
  }).then((bytes) => loadMediaCore(bytes));
  corePromise.catch(() => (corePromise = undefined));
  return corePromise;
}

const STATUS_TEXT: Record<ViewerStatus | 'idle' | 'connecting', MessageKey> = {
  idle: 'screen.status.idle',
  connecting: 'screen.status.connecting',
  asking: 'screen.status.asking',
  viewing: 'screen.status.viewing',
  refused: 'screen.status.refused',
  ended: 'screen.status.ended',
};

const MODE_TEXT: Record<ScreenMode, MessageKey> = {
  'video-optimised': 'screen.mode.video-optimised',
  'black-and-white': 'screen.mode.black-and-white',
  'few-colours': 'screen.mode.few-colours',
  'more-colours': 'screen.mode.more-colours',
  'full-colour': 'screen.mode.full-colour',
};

export function screenPanel(ctx: ConsoleContext, sessionId: string): ScreenPanel {
  const { store } = ctx;
  const id = (part: string): string => `s-${sessionId}-screen-${part}`;
  const btn = (action: string, text: MessageKey, cls = 'secondary'): HTMLButtonElement =>
    h('button', { class: `button ${cls} small`, text, attrs: { type: 'button', 'data-action': action } });

  const start = btn('screen-start', 'screen.start', 'primary');
  const stop = btn('screen-stop', 'screen.stop');
  const status = h('span', { class: 'screen-status muted', attrs: { role: 'status', 'data-testid': 'screen-status' } });
  const controlBtn = btn('screen-control', 'screen.control.request');
  const controlText = h('span', { class: 'muted', attrs: { 'data-testid': 'screen-control-state' } });
  const privacyBtn = btn('screen-privacy', 'screen.privacy.turnOn');
  const cad = btn('screen-cad', 'screen.cad');
  const keyboardBtn = btn('screen-keyboard', 'screen.keyboard');
  const clipboardBtn = btn('screen-clipboard', 'screen.clipboard');
  const scaleBtn = btn('screen-scale', 'screen.scale.actual');
  const fullBtn = btn('screen-fullscreen', 'screen.fullscreen');
  const monitor = h('select', { attrs: { 'data-testid': 'screen-monitor', 'aria-label': 'monitor' } });
  const mode = h('select', { attrs: { 'data-testid': 'screen-mode' } }, ...MODE_NAMES_LIST.map((m) => h('option', { text: MODE_TEXT[m], attrs: { value: m } })));
  const canvas = h('canvas', { class: 'screen-canvas', attrs: { tabindex: '0', 'data-testid': 'screen-canvas', 'aria-label': 'screen' } });
  const cursor = h('canvas', { class: 'screen-cursor', attrs: { 'aria-hidden': 'true' } });
  const stage = h('div', { class: 'screen-stage fit' }, h('div', { class: 'screen-layers' }, canvas, cursor));
  const privacyNote = h('p', { class: 'screen-privacy-note', text: 'screen.privacy.active', attrs: { hidden: true } });
  const remoteClip = h('textarea', { attrs: { readonly: true, rows: '2', 'data-testid': 'screen-remote-clipboard', id: id('remote-clip') } });
  const pasteBox = h('textarea', { attrs: { rows: '2', 'data-testid': 'screen-paste', id: id('paste') } });
  const pasteSend = btn('screen-paste-send', 'screen.clipboard.send');
  const clipPane = h(
    'div',
    { class: 'screen-clipboard', attrs: { hidden: true } },
    h('label', { text: 'screen.clipboard.remote', attrs: { for: remoteClip.id } }),
    remoteClip,
    h('label', { text: 'screen.clipboard.paste', attrs: { for: pasteBox.id } }),
    pasteBox,
    pasteSend,
  );
  const vkeys: Array<[string, number]> = [['Esc', KEYSYM.Escape], ['Tab', KEYSYM.Tab], ['←', KEYSYM.Left], ['↑', KEYSYM.Up], ['→', KEYSYM.Right], ['↓', KEYSYM.Down], ...Array.from({ length: 12 }, (_, i): [string, number] => [`F${i + 1}`, KEYSYM.F1 + i])];
  const toggles: Array<[string, number]> = [['Ctrl', KEYSYM.Control], ['Alt', KEYSYM.Alt], ['Super', KEYSYM.Super]];
  const keyboard = h(
    'div',
    { class: 'screen-vkeyboard', attrs: { hidden: true, 'data-testid': 'screen-vkeyboard' } },
    ...toggles.map(([label, keysym]) => h('button', { class: 'button secondary small', raw: label, attrs: { type: 'button', 'aria-pressed': 'false', 'data-keysym': String(keysym), 'data-toggle': 'true' } })),
    ...vkeys.map(([label, keysym]) => h('button', { class: 'button secondary small', raw: label, attrs: { type: 'button', 'data-keysym': String(keysym) } })),
  );
  const tools = h('div', { class: 'screen-tools' }, controlBtn, privacyBtn, cad, keyboardBtn, clipboardBtn, monitor, mode, scaleBtn, fullBtn);
  const el = h(
    'section',
    { class: 'card screen-pane', attrs: { 'aria-labelledby': id('title'), 'data-testid': 'screen-pane' } },
    h('div', { class: 'pane-head' }, h('h2', { text: 'screen.title', attrs: { id: id('title') } }), start, stop, status, controlText),
    tools,
    privacyNote,
    keyboard,
    clipPane,
    stage,
  );

  let stream: ScreenStream | undefined;
  let control: { state: ControlState; holder: string | null; mine: boolean } = { state: 'none', holder: null, mine: false };
  let detachInput: (() => void) | undefined;
  let privacyOn = false;
  let clipboardSync = false;
  let lastLocalClip = '';

  const setStatus = (s: keyof typeof STATUS_TEXT): void => {
    status.dataset.state = s;
    bindText(status, STATUS_TEXT[s]);
  };
  const send = (msg: Record<string, unknown>): void => stream?.send(msg);
  const mine = (): boolean => control.state === 'granted' && control.mine;

  const render = (): void => {
    const perms = store.permissions;
    const live = stream !== undefined;
    start.hidden = live;
    stop.hidden = !live;
    start.disabled = perms.screen === 'none';
    tools.hidden = !live;
    // No empty black picture while nothing is shared: the panel stays one line until sharing starts.
    stage.hidden = !live;
    controlBtn.disabled = perms.screen !== 'control' || (control.state !== 'none' && !control.mine);
    bindText(controlBtn, control.mine && control.state !== 'none' ? 'screen.control.release' : 'screen.control.request');
    const controlKey: MessageKey | undefined =
      control.state === 'asking' ? 'screen.control.asking' : control.state === 'refused' ? 'screen.control.refused' : control.state === 'granted' ? (control.mine ? 'screen.control.mine' : 'screen.control.other') : undefined;
    if (controlKey) bindText(controlText, controlKey, { name: control.holder ?? '' });
    else controlText.textContent = '';
    controlText.dataset.state = control.mine ? `${control.state}-mine` : control.state;
    for (const b of [cad, keyboardBtn, clipboardBtn]) b.disabled = !mine();
    privacyBtn.disabled = !mine() || !perms.privacyScreen;
    // RFB cannot blank a VNC server's screen or block its local input: no privacy screen for Remote VNC.
    privacyBtn.hidden = store.sessions.get(sessionId)?.kind === 'vnc';
    bindText(privacyBtn, privacyOn ? 'screen.privacy.turnOff' : 'screen.privacy.turnOn');
    privacyBtn.setAttribute('aria-pressed', String(privacyOn));
    privacyNote.hidden = !privacyOn;
    clipboardBtn.setAttribute('aria-pressed', String(clipboardSync));
    clipPane.hidden = !(clipboardSync && mine());
    if (!mine()) keyboard.hidden = true;
    keyboardBtn.setAttribute('aria-pressed', String(!keyboard.hidden));
    if (mine() && !detachInput) detachInput = attachInput(canvas, send);
    if (!mine() && detachInput) {
      detachInput();
      detachInput = undefined;
    }
  };

  const onText = (msg: ApplianceToViewer): void => {
    switch (msg.t) {
      case 'status':
        setStatus(msg.state);
        break;
      case 'control':
        control = msg;
        if (!mine()) clipboardSync = false;
        break;
      case 'privacy':
        privacyOn = msg.on;
        break;
      case 'clipboard':
        remoteClip.value = msg.text;
        // Where the page may write the clipboard (focus and permission), the text lands there too.
        void navigator.clipboard?.writeText(msg.text).catch(() => undefined);
        break;
      case 'error':
        ctx.notice.error(new ApiError((isErrorCode(msg.code) ? msg.code : 'INTERNAL') as ErrorCode, 0));
        break;
    }
    render();
  };

  const onInfo = (i: ScreenInfo): void => {
    replace(monitor, ...i.monitors.map((m) => h('option', { raw: m.primary ? `${m.name} (P)` : m.name, attrs: { value: String(m.id), selected: m.id === i.monitor } })));
    monitor.hidden = i.monitors.length < 2;
    mode.value = i.mode;
    stage.dataset.width = String(i.width);
    stage.dataset.height = String(i.height);
  };

  const stopSharing = (): void => {
    detachInput?.();
    detachInput = undefined;
    const s = stream;
    stream = undefined;
    control = { state: 'none', holder: null, mine: false };
    privacyOn = false;
    clipboardSync = false;
    s?.close();
    render();
  };

  start.addEventListener('click', () => {
    if (stream) return;
    setStatus('connecting');
    void (async () => {
      try {
        const core = await mediaCore();
        const answer = await ctx.link.request({ t: 'screen_open', sessionId });
        if (answer.t !== 'channel_ticket') return;
        const ws = openChannel(answer.ticket);
        stream = new ScreenStream(core, ws, canvas, cursor, {
          text: onText,
          info: onInfo,
          closed: () => {
            if (!stream) return;
            if (status.dataset.state !== 'refused') setStatus('ended');
            stream = undefined;
            stopSharing();
          },
        });
        render();
      } catch (err) {
        setStatus('idle');
        ctx.notice.error(err);
      }
    })();
  });
  stop.addEventListener('click', () => {
    stopSharing();
    setStatus('idle');
  });
  controlBtn.addEventListener('click', () => send({ t: 'control', on: !(control.mine && control.state !== 'none') }));
  privacyBtn.addEventListener('click', () => send({ t: 'privacy', on: !privacyOn }));
  cad.addEventListener('click', () => send({ t: 'cad' }));
  keyboardBtn.addEventListener('click', () => {
    keyboard.hidden = !keyboard.hidden;
    render();
  });
  keyboard.addEventListener('click', (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-keysym]');
    if (!b || !mine()) return;
    const keysym = Number(b.dataset.keysym);
    if (b.dataset.toggle) {
      const down = b.getAttribute('aria-pressed') !== 'true';
      b.setAttribute('aria-pressed', String(down));
      send({ t: 'key', keysym, down });
    } else {
      send({ t: 'key', keysym, down: true });
      send({ t: 'key', keysym, down: false });
    }
    canvas.focus({ preventScroll: true });
  });
  clipboardBtn.addEventListener('click', () => {
    clipboardSync = !clipboardSync;
    send({ t: 'clipboard_sync', on: clipboardSync });
    render();
  });
  const sendLocalClipboard = (text: string): void => {
    if (!clipboardSync || !mine() || text === lastLocalClip) return;
    lastLocalClip = text;
    send({ t: 'clipboard', text });
  };
  pasteSend.addEventListener('click', () => {
    lastLocalClip = '';
    sendLocalClipboard(pasteBox.value);
  });
  // Coming back to the canvas with something new on the local clipboard hands it over (where reading is permitted).
  canvas.addEventListener('focus', () => {
    if (!clipboardSync || !navigator.clipboard?.readText) return;
    navigator.clipboard.readText().then(sendLocalClipboard, () => undefined);
  });
  monitor.addEventListener('change', () => send({ t: 'monitor', id: Number(monitor.value) }));
  mode.addEventListener('change', () => send({ t: 'mode', mode: mode.value }));
  scaleBtn.addEventListener('click', () => {
    const fit = stage.classList.toggle('fit');
    bindText(scaleBtn, fit ? 'screen.scale.actual' : 'screen.scale.fit');
  });
  fullBtn.addEventListener('click', () => {
    void stage.requestFullscreen().then(async () => {
      // Keyboard Lock passes Escape, Alt-Tab and friends to the remote side (Chromium, full screen only).
      const kb = (navigator as Navigator & { keyboard?: { lock?: () => Promise<void> } }).keyboard;
      await kb?.lock?.().catch(() => undefined);
      canvas.focus({ preventScroll: true });
    }, () => undefined);
  });
  const onFullscreen = (): void => {
    stage.classList.toggle('full', document.fullscreenElement === stage);
    if (!document.fullscreenElement) (navigator as Navigator & { keyboard?: { unlock?: () => void } }).keyboard?.unlock?.();
  };
  document.addEventListener('fullscreenchange', onFullscreen);

  const unsubscribe = store.subscribe((topic) => {
    if (topic.kind === 'permissions') render();
  });
  setStatus('idle');
  render();

  return {
    el,
    dispose() {
      unsubscribe();
      document.removeEventListener('fullscreenchange', onFullscreen);
      stopSharing();
    },
  };
}
