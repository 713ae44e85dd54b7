/**
 * Lightweight WSS clients for the session benchmarks: trust only the
 * appliance CA (no skipped checks), no compression, no message log kept
 * (thousands of sockets and messages), and a `next` that waits for one
 * matching JSON message.
 */
import WebSocket from 'ws';

/** Opening a socket takes at most 15 s, or the benchmark reports it as failed. */
const OPEN_TIMEOUT_MS = 15_000;

export interface JsonSocket {
  readonly ws: WebSocket;
  send(msg: unknown): void;
  /** Resolves with the next message matching `pred` (messages before the call are not kept). */
  next(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Called for every JSON message. */
  onMessage(cb: (m: any) => void): void;
}

export function openJsonSocket(url: string, caPem: string, headers: Record<string, string> = {}): Promise<JsonSocket> {
  const ws = new WebSocket(url, [], { ca: [caPem], headers, perMessageDeflate: false, handshakeTimeout: OPEN_TIMEOUT_MS });
  const listeners = new Set<(m: any) => void>();
  ws.on('message', (data) => {
    let m: any;
    try {
      m = JSON.parse(String(data));
    } catch {
      return;
    }
    for (const l of [...listeners]) l(m);
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve({
        ws,
        send: (msg) => ws.send(JSON.stringify(msg)),
        onMessage: (cb) => void listeners.add(cb),
        next(pred, timeoutMs = 10_000) {
          return new Promise((res, rej) => {
            const timer = setTimeout(() => {
              listeners.delete(check);
              rej(new Error(`no matching message in ${timeoutMs} ms`));
            }, timeoutMs);
            const check = (m: any): void => {
              if (!pred(m)) return;
              clearTimeout(timer);
              listeners.delete(check);
              res(m);
            };
            listeners.add(check);
          });
        },
      });
    });
  });
}

/** A raw (non-JSON) WSS client for the bare baseline server. */
export function openRawSocket(url: string, caPem: string): Promise<WebSocket> {
  const ws = new WebSocket(url, [], { ca: [caPem], perMessageDeflate: false, handshakeTimeout: OPEN_TIMEOUT_MS });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve(ws);
    });
  });
}
