/**
 * Screen sharing in the customer client (F22): handles the appliance's
 * `screen` channels. A *view* channel (role "view") streams the screen after
 * the customer allowed viewing; a *control* channel (role "control") carries
 * the input of the rep who holds control, after the customer allowed
 * control. The channel socket is opened at once (its ticket is short-lived)
 * and the consent answer is the first message, `hello { allowed }`.
 *
 * Input is wired to the control channel only: a view channel's socket has no
 * input handler, so whatever arrives there is never injected. A control
 * channel's messages are checked against INPUT_MESSAGES again here (the
 * appliance checked them too). Closing the control channel releases held
 * keys, stops clipboard sync and lifts the privacy screen.
 */
import type WebSocket from 'ws';
import { INPUT_MESSAGES, PRODUCER_COMMANDS, type InputMessage, type MonitorInfo } from '../../../common/screen-protocol.ts';
import { DEFAULT_SCREEN_MODE, MODE_NAMES_LIST, type ScreenMode } from '../../../common/screen-modes.ts';
import { decodeMessage } from '../../../common/wire.ts';
import type { MediaCore } from '../../../wasm/src/index.ts';
import type { ConsentRequest } from '../ui/consent.ts';
import { ScreenGrabber } from './capture.ts';
import { XClipboard } from './clipboard.ts';
import { CursorWatcher } from './cursor.ts';
import { DamageWatch } from './damage.ts';
import { InputInjector } from './input.ts';
import { listMonitors } from './monitors.ts';
import { PrivacyScreen } from './privacy.ts';
import { ScreenStreamer } from './streamer.ts';
import { XConnection } from './x-display.ts';

/** What a channel handler gets (client/src/transport/channels.ts). */
export interface ScreenChannelOpen {
  readonly channelId: string;
  readonly params: Readonly<Record<string, unknown>>;
  connect(): WebSocket;
}

export interface ScreenShareDeps {
  decide(req: ConsentRequest): Promise<boolean>;
  /** A line for the customer's terminal. */
  say(text: string): void;
  debug(text: string): void;
  loadCore(): Promise<MediaCore>;
  display?: string;
}

/** Close code sent when the customer refused or the X display is unusable. */
const CLOSE_NORMAL = 1000;

function repName(params: Readonly<Record<string, unknown>>): string {
  return typeof params.rep === 'string' && params.rep ? params.rep.slice(0, 100) : 'Your representative';
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === ws.OPEN) return resolve();
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('close', () => reject(new Error('channel closed before it opened')));
  });
}

export class ScreenShare {
  private conn: Promise<XConnection> | undefined;
  private grabber: ScreenGrabber | undefined;
  private privacy: PrivacyScreen | undefined;
  private streamer: ScreenStreamer | undefined;
  private clipboard: XClipboard | undefined;

  constructor(private readonly deps: ScreenShareDeps) {}

  /** The channel handler to register for kind `screen`. */
  readonly handle = (open: ScreenChannelOpen): void => {
    const role = open.params.role === 'control' ? 'control' : 'view';
    void (role === 'control' ? this.control(open) : this.view(open)).catch((err: Error) => this.deps.debug(`screen ${role} channel: ${err.message}`));
  };

  private x(): Promise<XConnection> {
    if (!this.conn) {
      this.conn = XConnection.open(this.deps.display ?? process.env.DISPLAY);
      this.conn.catch(() => (this.conn = undefined));
    }
    return this.conn;
  }

  private async view(open: ScreenChannelOpen): Promise<void> {
    const ws = open.connect();
    const rep = repName(open.params);
    const allowed = await this.deps.decide({ rep, action: 'view your screen' });
    await opened(ws);
    const send = (msg: Record<string, unknown>): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    // Everything is made ready before the hello: the appliance answers it with credits at once.
    let ready: { conn: XConnection; grabber: ScreenGrabber; privacy: PrivacyScreen; core: MediaCore } | undefined;
    let failure = '';
    if (allowed) {
      try {
        const conn = await this.x();
        this.grabber ??= new ScreenGrabber(conn);
        this.privacy ??= new PrivacyScreen(conn, this.grabber);
        await this.grabber.init();
        ready = { conn, grabber: this.grabber, privacy: this.privacy, core: await this.deps.loadCore() };
      } catch (err) {
        failure = `the screen cannot be read (${(err as Error).message})`;
      }
    }
    if (!ready) {
      send({ t: 'hello', allowed: false });
      if (failure) {
        this.deps.say(`Screen sharing is not possible: ${failure}.`);
        send({ t: 'error', code: 'SCREEN_UNAVAILABLE', message: failure.slice(0, 500) });
      }
      ws.close(CLOSE_NORMAL, 'refused');
      return;
    }
    const { conn, grabber, privacy, core } = ready;
    const damage = new DamageWatch(conn);
    await damage.init();
    const mode = MODE_NAMES_LIST.includes(open.params.mode as ScreenMode) ? (open.params.mode as ScreenMode) : DEFAULT_SCREEN_MODE;
    const streamer = new ScreenStreamer({
      ws,
      core,
      // Behind the privacy screen nothing reaches the root, so DAMAGE cannot tell: look every time.
      source: { grab: (m: MonitorInfo) => privacy.grab(m), changed: () => privacy.active || damage.take() },
      grabber,
      cursor: new CursorWatcher(conn),
      monitors: () => listMonitors(conn),
      mode,
      onError: (err) => {
        this.deps.debug(`capture failed: ${err.message}`);
        ws.close(1011, 'capture failed');
      },
    });
    damage.onDamage = () => streamer.wake();
    this.streamer?.stop();
    this.streamer = streamer;
    // Commands that come before start() finished wait for it (credits must not be lost).
    let started: Promise<void> = Promise.resolve();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return this.deps.debug('ignored a binary frame on the view channel');
      let msg: { t: string; body: Record<string, unknown> };
      try {
        msg = decodeMessage(PRODUCER_COMMANDS, data.toString());
      } catch (err) {
        return this.deps.debug(`ignored a view-channel message: ${(err as Error).message}`);
      }
      void started.then(() => {
        if (msg.t === 'credit') streamer.credit(msg.body.n as number);
        else if (msg.t === 'key') streamer.requestKey();
        else if (msg.t === 'mode') streamer.setMode(msg.body.mode as ScreenMode);
        else if (msg.t === 'monitor') return streamer.setMonitor(msg.body.id as number);
      }).catch((err: Error) => this.deps.debug(`screen command failed: ${err.message}`));
    });
    ws.on('close', () => {
      streamer.stop();
      damage.dispose();
      if (this.streamer === streamer) {
        this.streamer = undefined;
        this.deps.say('Screen sharing ended.');
      }
    });
    // The hello comes first: the appliance takes the stream's info only after it.
    send({ t: 'hello', allowed: true });
    started = streamer.start();
    await started;
    this.deps.say(`${rep} can now see your screen.`);
  }

  private async control(open: ScreenChannelOpen): Promise<void> {
    const ws = open.connect();
    const rep = repName(open.params);
    const allowed = await this.deps.decide({ rep, action: 'control your mouse and keyboard' });
    await opened(ws);
    let conn: XConnection | undefined;
    let injector: InputInjector | undefined;
    if (allowed) {
      try {
        conn = await this.x();
        injector = new InputInjector(conn, () => this.streamer?.origin() ?? { x: 0, y: 0 });
        await injector.init();
        if (!this.clipboard) {
          const clip = new XClipboard(conn);
          await clip.init();
          this.clipboard = clip;
        }
      } catch (err) {
        this.deps.debug(`control is not possible: ${(err as Error).message}`);
        injector = undefined;
      }
    }
    if (!conn || !injector || !this.clipboard) {
      ws.send(JSON.stringify({ t: 'hello', allowed: false }));
      ws.close(CLOSE_NORMAL, 'refused');
      return;
    }
    const input = injector;
    this.grabber ??= new ScreenGrabber(conn);
    this.privacy ??= new PrivacyScreen(conn, this.grabber);
    const privacy = this.privacy;
    input.gate = (inject) => privacy.inject(inject);
    const clipboard = this.clipboard;
    let clipboardSync = false;
    const send = (msg: Record<string, unknown>): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    privacy.onLocalRelease = () => {
      this.deps.say('You ended the privacy screen; your screen and input are back.');
      send({ t: 'privacy', on: false, by: 'local' });
    };
    // Input runs in arrival order: a key press must not overtake the pointer move before it.
    let queue = Promise.resolve();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return this.deps.debug('ignored a binary frame on the control channel');
      let msg: InputMessage;
      try {
        const d = decodeMessage(INPUT_MESSAGES, data.toString());
        msg = { t: d.t, ...d.body } as InputMessage;
      } catch (err) {
        return this.deps.debug(`ignored a control-channel message: ${(err as Error).message}`);
      }
      queue = queue.then(async () => {
        if (msg.t === 'clipboard') {
          if (clipboardSync) clipboard.write((msg as InputMessage<'clipboard'>).text);
        } else if (msg.t === 'clipboard_sync') {
          clipboardSync = (msg as InputMessage<'clipboard_sync'>).on;
          await clipboard.watch(clipboardSync ? (text) => send({ t: 'clipboard', text }) : undefined);
          if (clipboardSync) {
            const text = await clipboard.read();
            if (text) send({ t: 'clipboard', text });
          }
        } else if (msg.t === 'privacy') {
          const on = (msg as InputMessage<'privacy'>).on;
          if (on) {
            await privacy.enable();
            this.deps.say(`${rep} turned on the privacy screen. Press Ctrl+Alt+Shift+P to end it.`);
          } else await privacy.disable();
          send({ t: 'privacy', on, by: 'rep' });
        } else await input.handle(msg);
      }).catch((err: Error) => this.deps.debug(`input failed: ${err.message}`));
    });
    ws.on('close', () => {
      input.releaseAll();
      void clipboard.watch(undefined).catch(() => undefined);
      if (privacy.active) void privacy.disable();
      privacy.onLocalRelease = undefined;
      this.deps.say(`${rep} no longer controls your mouse and keyboard.`);
    });
    send({ t: 'hello', allowed: true });
    this.deps.say(`${rep} now controls your mouse and keyboard.`);
  }

  dispose(): void {
    this.streamer?.stop();
    this.grabber?.dispose();
    this.clipboard?.dispose();
    void this.conn?.then((c) => c.close(), () => undefined);
  }
}
