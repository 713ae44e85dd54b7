/**
 * Routes the appliance's `channel` messages (a rep opened a shell, a file
 * view, a screen…) to the feature that serves that kind. A feature
 * registers a handler once; each call gets the channel's id, its params
 * (what the rep may do there — features check them again on every request)
 * and `connect()`, which opens the channel's own pinned socket with the
 * one-time ticket. A kind this client does not serve is reported, not
 * fatal.
 */
import type WebSocket from 'ws';

export interface ChannelOpen {
  readonly kind: string;
  readonly channelId: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Opens the channel's socket (binaryType nodebuffer). Call it once, at once: the ticket lives 30 s. */
  connect(): WebSocket;
}

export type ChannelHandler = (open: ChannelOpen) => void;

export class ChannelRouter {
  private readonly handlers = new Map<string, ChannelHandler>();

  constructor(
    private readonly connect: (ticket: string) => WebSocket,
    private readonly debug: (text: string) => void = () => {},
  ) {}

  register(kind: string, handler: ChannelHandler): this {
    if (this.handlers.has(kind)) throw new Error(`channel kind ${kind} registered twice`);
    this.handlers.set(kind, handler);
    return this;
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  dispatch(msg: { kind: string; channelId: string; ticket: string; params: Record<string, unknown> }): boolean {
    const handler = this.handlers.get(msg.kind);
    if (!handler) {
      this.debug(`no handler for ${msg.kind} channels`);
      return false;
    }
    let used = false;
    try {
      handler({
        kind: msg.kind,
        channelId: msg.channelId,
        params: msg.params,
        connect: () => {
          if (used) throw new Error('a channel ticket can be used once');
          used = true;
          return this.connect(msg.ticket);
        },
      });
    } catch (err) {
      this.debug(`${msg.kind} channel failed to start: ${(err as Error).message}`);
      return false;
    }
    return true;
  }
}

/** The probe channel: every frame goes straight back, so the console can time the round trip. */
export function serveProbe(open: ChannelOpen): void {
  const ws = open.connect();
  ws.on('message', (data, isBinary) => {
    if (ws.readyState === ws.OPEN) ws.send(data, { binary: isBinary });
  });
  ws.on('error', () => ws.terminate());
}
