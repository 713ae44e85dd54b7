/**
 * Wires command shells (relay/shell.ts) into the appliance: the channel
 * kind "shell", the console messages `shell_open`, `shell_attach`,
 * `shell_close` and `shell_list`, and the relay's view of the rest of the
 * appliance (membership, permissions, events, settings, recordings).
 */
import { AppError } from '../../../common/errors.ts';
import type { Context } from '../context.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import type { ChannelKind, ChannelService, ChannelWs } from './channels.ts';
import { ShellRelay, type ShellTicket } from './shell.ts';
import { ShellRecordingStore } from '../store/shell-recordings.ts';

export const SHELL_KIND = 'shell';

export class ShellKind implements ChannelKind {
  readonly kind = SHELL_KIND;
  constructor(private readonly relay: ShellRelay) {}
  private ticket(ws: ChannelWs): ShellTicket {
    return ws.getUserData().ticket;
  }
  open(ws: ChannelWs): void {
    this.relay.socketOpened(ws, this.ticket(ws));
  }
  message(ws: ChannelWs, data: Buffer, isBinary: boolean): void {
    this.relay.socketMessage(ws, this.ticket(ws), data, isBinary);
  }
  drain(ws: ChannelWs): void {
    this.relay.socketDrained(ws, this.ticket(ws));
  }
  close(ws: ChannelWs): void {
    this.relay.socketClosed(ws, this.ticket(ws));
  }
}

/** The shell relay with its dependencies taken from the appliance context. */
export function createShellRelay(
  ctx: Pick<Context, 'sessions' | 'permissions' | 'settings' | 'store' | 'log'>,
  channels: ChannelService,
  /** Shell Jump sessions open their shells as SSH channels instead of asking a customer client. */
  ssh?: { has(sessionId: string): boolean; openShell(sessionId: string, channelId: string, params: Record<string, unknown>): void },
): ShellRelay {
  return new ShellRelay({
    requireMember: (userId, sessionId) => channels.requireMember(userId, sessionId),
    mayUseShell: (userId) => ctx.permissions.effective(userId).shell,
    displayName: (userId) => ctx.sessions.repName(userId),
    newChannelId: () => channels.newChannelId(),
    callCustomer: (sessionId, channelId, params) => {
      if (ctx.sessions.liveSession(sessionId).kind === 'ssh') {
        if (!ssh) throw new AppError('CLIENT_UNSUPPORTED');
        return ssh.openShell(sessionId, channelId, params);
      }
      channels.callCustomer(sessionId, { kind: SHELL_KIND, channelId, params });
    },
    issueConsoleTicket: (sessionId, userId, channelId) => channels.issueConsoleTicket({ kind: SHELL_KIND, sessionId, userId, channelId }),
    recordEvent: (sessionId, kind, actor, params) => void ctx.sessions.recordEvent(sessionId, kind, actor, params),
    publishShells: (sessionId, shells) => ctx.sessions.publishToMembers(sessionId, { t: 'shells', sessionId, shells }),
    recordShells: () => ctx.settings.recording().recordShells,
    recordings: new ShellRecordingStore(ctx.store),
    warn: (detail, text) => ctx.log.warn(detail, text),
  });
}

export function shellHandlers(relay: ShellRelay, hub: ConsoleHub): ExtraHandlers {
  const user = (ws: Parameters<NonNullable<ExtraHandlers['shell_open']>>[0]) => ws.getUserData().userId;
  return {
    shell_open(ws, body) {
      const { channelId, ticket } = relay.open(user(ws), body.sessionId as string, body.cols as number, body.rows as number);
      hub.send(ws, { t: 'channel_ticket', rid: body.rid as number, channelId, ticket });
    },
    shell_attach(ws, body) {
      const { channelId, ticket } = relay.attach(user(ws), body.sessionId as string, body.shellId as string);
      hub.send(ws, { t: 'channel_ticket', rid: body.rid as number, channelId, ticket });
    },
    shell_close(ws, body) {
      relay.close(user(ws), body.sessionId as string, body.shellId as string);
      hub.send(ws, { t: 'ack', rid: body.rid as number });
    },
    shell_list(ws, body) {
      const sessionId = body.sessionId as string;
      hub.send(ws, { t: 'shells', rid: body.rid as number, sessionId, shells: relay.list(user(ws), sessionId) });
    },
  };
}
