/**
 * The `screen` channel kind (F22): binds each session's ScreenFanout
 * (relay/screen-fanout.ts) to channel sockets, and the console message
 * `screen_open` that starts or joins a session's screen stream.
 *
 * One stream per session, one channel id for all its sockets: the customer
 * client's view channel (role "view", the producer), its control channel
 * (role "control", asked for when a rep requests control) and one console
 * socket per viewing rep. A customer socket with another channel id, or a
 * role nobody asked for, is closed. Permissions are read from the
 * PermissionStore on every decision (the fanout asks per message), so a
 * grant taken away by an administrator stops input at once.
 *
 * A Remote VNC session has no customer client: `local` hands out its
 * in-process producer (relay/vnc-screen.ts), which takes the place of the
 * client's view and control channels.
 */
import { AppError } from '../../../common/errors.ts';
import type { SessionEventKind } from '../../../common/sessions.ts';
import type { PermissionStore } from '../store/permissions.ts';
import type { SessionService } from '../services/session-service.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import { end, type ChannelKind, type ChannelService, type ChannelWs } from './channels.ts';
import { ScreenFanout, type Peer } from './screen-fanout.ts';
import type { VncScreen } from './vnc-screen.ts';

/** A stream whose first viewer never connects (ticket unused) is dropped after 35 s (ticket life + margin). */
const FIRST_VIEWER_WAIT_MS = 35_000;

interface Stream {
  channelId: string;
  fanout: ScreenFanout;
  timer: NodeJS.Timeout | undefined;
}

interface SocketState {
  stream: Stream;
  peer: Peer;
  role: 'viewer' | 'producer' | 'control';
}

export interface ScreenDeps {
  channels: ChannelService;
  sessions: SessionService;
  permissions: PermissionStore;
  /** The appliance's own producer for a session (Remote VNC), if it has one. */
  local?: (sessionId: string) => VncScreen | undefined;
}

function peerOf(ws: ChannelWs): Peer {
  return {
    send(data, binary) {
      if (!ws.getUserData().closed) ws.send(data, binary);
    },
    buffered: () => (ws.getUserData().closed ? 0 : ws.getBufferedAmount()),
    close: (code, reason) => end(ws, code, reason),
  };
}

export class ScreenKind implements ChannelKind {
  readonly kind = 'screen';
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly d: ScreenDeps) {}

  /** The session's live stream, or a new one whose producer the customer client is asked to open. */
  startOrJoin(sessionId: string, rep: { id: string; name: string }): string {
    const existing = this.streams.get(sessionId);
    if (existing && !existing.fanout.isEnded) return existing.channelId;
    const channelId = this.d.channels.newChannelId();
    const { channels, sessions, permissions } = this.d;
    const local = this.d.local?.(sessionId);
    const stream: Stream = {
      channelId,
      timer: undefined,
      fanout: new ScreenFanout({
        canView: (userId) => permissions.effective(userId).screen !== 'none',
        canControl: (userId) => permissions.effective(userId).screen === 'control',
        canPrivacy: (userId) => permissions.effective(userId).privacyScreen,
        openControl: (r) => {
          if (!local) return channels.callCustomer(sessionId, { kind: 'screen', channelId, params: { role: 'control', rep: r.name } });
          const fanout = stream.fanout;
          let peer: Peer | undefined;
          peer = local.attachControl({ message: (data, isBinary) => peer && fanout.controlMessage(peer, data, isBinary), close: () => peer && fanout.controlClose(peer) });
          fanout.controlOpen(peer);
        },
        event: (kind: SessionEventKind, actor, params = {}) => void sessions.recordEvent(sessionId, kind, actor, params),
        customerName: () => {
          try {
            return sessions.liveSession(sessionId).customer.name;
          } catch {
            return 'The customer';
          }
        },
      }),
    };
    if (local) {
      const fanout = stream.fanout;
      fanout.producerOpen(local.attachView({ message: (data, isBinary) => fanout.producerMessage(data, isBinary), close: () => fanout.producerClose() }));
    } else channels.callCustomer(sessionId, { kind: 'screen', channelId, params: { role: 'view', rep: rep.name } });
    stream.timer = setTimeout(() => {
      if (stream.fanout.viewerCount === 0) stream.fanout.shutdown();
      if (this.streams.get(sessionId) === stream && stream.fanout.isEnded) this.streams.delete(sessionId);
    }, FIRST_VIEWER_WAIT_MS);
    stream.timer.unref();
    this.streams.set(sessionId, stream);
    return channelId;
  }

  open(ws: ChannelWs): void {
    const data = ws.getUserData();
    const { ticket } = data;
    const stream = this.streams.get(ticket.sessionId);
    if (!stream || stream.channelId !== ticket.channelId || stream.fanout.isEnded) return end(ws, 1000, 'no such screen stream');
    const peer = peerOf(ws);
    if (ticket.side === 'console') {
      const userId = ticket.userId!;
      data.state = { stream, peer, role: 'viewer' } satisfies SocketState;
      stream.fanout.viewerOpen(peer, { id: userId, name: this.d.sessions.repName(userId) });
      return;
    }
    const role = ticket.params.role === 'control' ? 'control' : 'producer';
    data.state = { stream, peer, role } satisfies SocketState;
    if (role === 'control') stream.fanout.controlOpen(peer);
    else stream.fanout.producerOpen(peer);
  }

  message(ws: ChannelWs, data: Buffer, isBinary: boolean): void {
    const s = ws.getUserData().state as SocketState | undefined;
    if (!s) return;
    if (s.role === 'viewer') s.stream.fanout.viewerMessage(s.peer, data, isBinary);
    else if (s.role === 'producer') s.stream.fanout.producerMessage(data, isBinary);
    else s.stream.fanout.controlMessage(s.peer, data, isBinary);
  }

  drain(ws: ChannelWs): void {
    const s = ws.getUserData().state as SocketState | undefined;
    if (s?.role === 'viewer') s.stream.fanout.viewerDrain();
  }

  close(ws: ChannelWs): void {
    const { ticket, state } = ws.getUserData();
    const s = state as SocketState | undefined;
    if (!s) return;
    if (s.role === 'viewer') s.stream.fanout.viewerClose(s.peer);
    else if (s.role === 'producer') s.stream.fanout.producerClose();
    else s.stream.fanout.controlClose(s.peer);
    if (s.stream.fanout.isEnded && this.streams.get(ticket.sessionId) === s.stream) {
      clearTimeout(s.stream.timer);
      this.streams.delete(ticket.sessionId);
    }
  }
}

/** Console messages of screen sharing. */
export function screenHandlers(kind: ScreenKind, d: ScreenDeps, hub: ConsoleHub): ExtraHandlers {
  return {
    screen_open(ws, body) {
      const userId = ws.getUserData().userId;
      const sessionId = body.sessionId as string;
      d.channels.requireMember(userId, sessionId);
      if (d.permissions.effective(userId).screen === 'none') throw new AppError('SCREEN_NO_PERMISSION');
      const channelId = kind.startOrJoin(sessionId, { id: userId, name: d.sessions.repName(userId) });
      const ticket = d.channels.issueConsoleTicket({ kind: 'screen', sessionId, userId, channelId });
      hub.send(ws, { t: 'channel_ticket', rid: body.rid as number, channelId, ticket });
    },
  };
}
