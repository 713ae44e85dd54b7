/**
 * Baseline for bench/sessions chat: a bare `ws` server over TLS (same
 * certificate as the appliance) that pairs sockets and relays every message
 * to the peer — the same path a chat line takes through the appliance,
 * without parsing, authorization, storage or pub/sub. A socket's first
 * message is `pair:<n>`; the two sockets that name the same n are peers.
 * Prints `READY <port>`; listens on 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const [keyFile, certFile] = process.argv.slice(2);
const server = https.createServer({ key: readFileSync(keyFile!), cert: readFileSync(certFile!) });
const wss = new WebSocketServer({ server, perMessageDeflate: false });
const waiting = new Map<string, WebSocket>();

wss.on('connection', (ws) => {
  let peer: WebSocket | undefined;
  ws.once('message', (first) => {
    const pair = String(first);
    const other = waiting.get(pair);
    if (other) {
      waiting.delete(pair);
      peer = other;
      other.emit('peer', ws);
      ws.send('paired');
      other.send('paired');
    } else {
      waiting.set(pair, ws);
      ws.once('peer', (p: WebSocket) => (peer = p));
    }
    ws.on('message', (data, isBinary) => peer?.send(data, { binary: isBinary }));
  });
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as net.AddressInfo).port}\n`));
