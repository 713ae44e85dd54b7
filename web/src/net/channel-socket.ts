/**
 * The browser's end of a data channel (shell, files, screen…): after a
 * feature's request is answered with `channel_ticket`, open
 * `/ws/channel?t=<ticket>` on this origin within 30 s. The console cookie
 * goes along by itself; the appliance checks it belongs to the ticket's
 * rep. Binary frames arrive as ArrayBuffer.
 */
export function openChannel(ticket: string): WebSocket {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/channel?t=${encodeURIComponent(ticket)}`);
  ws.binaryType = 'arraybuffer';
  return ws;
}
