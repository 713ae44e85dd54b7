/**
 * A rep's side of file transfers on hand-crafted frames, for tests and
 * bench/files: asks for a transfer channel over the console socket, opens it
 * with the rep's cookie, and streams a file from or to disk with the
 * credit-based flow control of common/flow.ts and SHA-256 on the way.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import WebSocket from 'ws';
import { ReceiveCounter, SendWindow } from '../../common/flow.ts';
import type { RunningAppliance } from './appliance.ts';
import type { ConsoleRep } from './customer.ts';

/** Chunks sent per frame: 256 KiB, like the console. */
const CHUNK = 256 * 1024;
/** A transfer that makes no progress for 60 s fails. */
const STALL_MS = 60_000;

export function openChannel(app: RunningAppliance, rep: ConsoleRep, ticket: string): Promise<WebSocket> {
  const cookie = `__Host-rd_console=${rep.agent.cookies.get('__Host-rd_console')}`;
  const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${encodeURIComponent(ticket)}`, [], { ca: [app.caPem], headers: { cookie, origin: app.origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Control frames as a queue; binary frames to `onBytes`; acks to `onAck`. */
function controlQueue(ws: WebSocket, onBytes: (b: Buffer) => void, onAck: (n: number) => void): () => Promise<any> {
  const queue: any[] = [];
  const waiters: Array<(m: any) => void> = [];
  const push = (m: any): void => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return onBytes(data as Buffer);
    const m = JSON.parse(String(data));
    if (m.t === 'ack') onAck(m.bytes);
    else push(m);
  });
  ws.on('close', (code) => push({ t: 'closed', code }));
  return () =>
    new Promise((resolve, reject) => {
      if (queue.length) return resolve(queue.shift());
      const timer = setTimeout(() => reject(new Error('no control frame')), STALL_MS);
      waiters.push((m) => (clearTimeout(timer), resolve(m)));
    });
}

/** Uploads a local file to `remote`; resolves with the client's reply and our SHA-256. */
export async function uploadFile(app: RunningAppliance, rep: ConsoleRep, sessionId: string, local: string, size: number, remote: string): Promise<{ reply: any; sha256: string }> {
  const answer = await rep.request({ t: 'file_transfer', sessionId, direction: 'upload', path: remote, size });
  if (answer.t !== 'channel_ticket') return { reply: answer, sha256: '' };
  const ws = await openChannel(app, rep, answer.ticket);
  const credit = new SendWindow();
  let wake: (() => void) | undefined;
  const next = controlQueue(ws, () => undefined, (n) => {
    credit.acked(n);
    wake?.();
  });
  const ready = await next();
  if (ready.t !== 'ready') return { reply: ready, sha256: '' };
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(local, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    const deadline = Date.now() + STALL_MS;
    while (credit.available < chunk.length || ws.bufferedAmount > CHUNK * 8) {
      if (Date.now() > deadline || ws.readyState !== ws.OPEN) throw new Error('upload stalled');
      await new Promise<void>((r) => ((wake = r), setTimeout(r, 20)));
    }
    hash.update(chunk);
    credit.sent(chunk.length);
    ws.send(chunk);
  }
  const sha256 = hash.digest('hex');
  ws.send(JSON.stringify({ t: 'end', sha256 }));
  const reply = await next();
  ws.close();
  return { reply, sha256 };
}

/** Downloads `remote` into a local file, acknowledging what is written; resolves with the client's end frame and our SHA-256. */
export async function downloadFile(app: RunningAppliance, rep: ConsoleRep, sessionId: string, remote: string, local: string): Promise<{ meta: any; end: any; sha256: string; bytes: number }> {
  const answer = await rep.request({ t: 'file_transfer', sessionId, direction: 'download', path: remote });
  if (answer.t !== 'channel_ticket') return { meta: answer, end: undefined, sha256: '', bytes: 0 };
  const ws = await openChannel(app, rep, answer.ticket);
  const out = createWriteStream(local);
  const hash = createHash('sha256');
  const counter = new ReceiveCounter();
  const next = controlQueue(
    ws,
    (b) => {
      hash.update(b);
      out.write(b, () => {
        const total = counter.consumed(b.length);
        if (total !== undefined && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'ack', bytes: total }));
      });
    },
    () => undefined,
  );
  ws.send(JSON.stringify({ t: 'ack', bytes: 0 }));
  const meta = await next();
  const end = meta.t === 'meta' ? await next() : undefined;
  ws.close();
  out.end();
  await once(out, 'close');
  return { meta, end, sha256: hash.digest('hex'), bytes: counter.total };
}
