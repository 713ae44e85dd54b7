/**
 * The "probe" channel: a pipe to the customer client, which echoes every
 * frame back. The console uses it to show the round-trip time to the
 * customer through the appliance (connection quality), and it is the
 * smallest complete example of a channel kind: a console message that
 * checks membership, asks the client to connect, answers with a ticket.
 */
import type { ChannelKind, ChannelService, ChannelWs } from './channels.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import { PairRelay } from './pair.ts';

export class ProbeKind implements ChannelKind {
  readonly kind = 'probe';
  private readonly relay = new PairRelay();
  open(ws: ChannelWs): void {
    this.relay.open(ws);
  }
  message(ws: ChannelWs, data: Buffer, isBinary: boolean): void {
    this.relay.message(ws, data, isBinary);
  }
  close(ws: ChannelWs, code: number): void {
    this.relay.close(ws, code);
  }
}

export function probeHandlers(channels: ChannelService, hub: ConsoleHub): ExtraHandlers {
  return {
    probe_open(ws, body) {
      const userId = ws.getUserData().userId;
      const sessionId = body.sessionId as string;
      channels.requireMember(userId, sessionId);
      const channelId = channels.newChannelId();
      channels.callCustomer(sessionId, { kind: 'probe', channelId });
      const ticket = channels.issueConsoleTicket({ kind: 'probe', sessionId, userId, channelId });
      hub.send(ws, { t: 'channel_ticket', rid: body.rid as number, channelId, ticket });
    },
  };
}
