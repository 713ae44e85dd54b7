/**
 * The client's end of a `files` channel (common/files-protocol.ts): one
 * socket per file view (`browse`: requests answered in order) or per
 * transfer (`upload`, `download`). The policy comes with the channel's
 * parameters from the appliance and is enforced here again on every path.
 *
 * Flow control is by credit (common/flow.ts), because the appliance cannot
 * stop reading a socket:
 *   upload   — each chunk is acknowledged to the console once it is written
 *              to disk, so the console never has more than a window in flight;
 *   download — a chunk is sent only while the console's unacknowledged bytes
 *              stay under the window and this socket's own buffer under
 *              SEND_HIGH_WATER, so neither this process nor the browser
 *              holds more than a few MB.
 */
import { createHash } from 'node:crypto';
import type WebSocket from 'ws';
import { AppError } from '../../../common/errors.ts';
import {
  decodeFilesRequest,
  decodeTransferControl,
  errorReply,
  FilesRequestError,
  type FilesRequest,
  type FilesReply,
  type TransferReply,
} from '../../../common/files-protocol.ts';
import { ReceiveCounter, SendWindow } from '../../../common/flow.ts';
import { openDownload, type DownloadSource } from './download-source.ts';
import { deleteEntry, listDir, makeDir, renameEntry } from './file-ops.ts';
import { fsError } from './fs-errors.ts';
import { policyFromParams, type FilePolicy } from './path-policy.ts';
import { UploadSink } from './upload-sink.ts';
import { listVolumes } from './volumes.ts';

/** Bytes queued in the socket before a download waits for it to drain: 2 MiB. */
export const SEND_HIGH_WATER = 2 * 1024 * 1024;

export interface FilesChannelOpen {
  channelId: string;
  params: Readonly<Record<string, unknown>>;
  connect(): WebSocket;
}

/** Called by the channel registry for each `files` channel the appliance opens. */
export function handleFilesChannel(open: FilesChannelOpen, log: (line: string) => void = () => undefined): void {
  const policy = policyFromParams(open.params);
  const op = open.params.op;
  const ws = open.connect();
  ws.on('error', (err) => log(`files channel: ${err.message}`));
  ws.once('open', () => {
    if (op === 'browse') serveBrowse(ws, policy);
    else if (op === 'upload') void serveUpload(ws, policy, open.params);
    else if (op === 'download') void serveDownload(ws, policy, open.params);
    else fail(ws, new AppError('WS_BAD_FRAME', 'unknown files operation'));
  });
}

function sendJson(ws: WebSocket, msg: FilesReply | TransferReply): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

function fail(ws: WebSocket, err: unknown): void {
  sendJson(ws, errorReply(fsError(err)));
  if (ws.readyState === ws.OPEN) ws.close(1000, 'failed');
}

/** Answers one browse request. */
export async function answer(policy: FilePolicy, req: FilesRequest): Promise<FilesReply> {
  switch (req.t) {
    case 'volumes':
      return { t: 'result', id: req.id, ...(await listVolumes(policy)) };
    case 'list':
      return { t: 'result', id: req.id, ...(await listDir(policy, req.path)) };
    case 'mkdir':
      await makeDir(policy, req.path);
      return { t: 'result', id: req.id };
    case 'rename':
      await renameEntry(policy, req.from, req.to);
      return { t: 'result', id: req.id };
    case 'delete':
      await deleteEntry(policy, req.path);
      return { t: 'result', id: req.id };
  }
}

function serveBrowse(ws: WebSocket, policy: FilePolicy): void {
  // One request at a time, in order: a listing after a rename shows the rename.
  let chain = Promise.resolve();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    chain = chain.then(async () => {
      if (isBinary) return fail(ws, new AppError('WS_BAD_FRAME', 'binary frame on a file view'));
      let reply: FilesReply;
      let id = -1;
      try {
        const req = decodeFilesRequest(data.toString('utf8'));
        id = req.id;
        reply = await answer(policy, req);
      } catch (err) {
        if (err instanceof FilesRequestError) id = err.id ?? -1;
        reply = { id, ...errorReply(err instanceof FilesRequestError ? err.error : fsError(err)) };
      }
      sendJson(ws, reply);
    });
  });
}

function paramPath(params: Readonly<Record<string, unknown>>): string {
  if (typeof params.path !== 'string') throw new AppError('BAD_FIELD', 'path is required');
  if (params.path.includes('\u0000')) throw new AppError('PATH_NUL');
  return params.path;
}

async function serveUpload(ws: WebSocket, policy: FilePolicy, params: Readonly<Record<string, unknown>>): Promise<void> {
  let sink: UploadSink | undefined;
  let finished = false;
  ws.on('close', () => {
    if (!finished) void sink?.abort();
  });
  const stop = (err: unknown): void => {
    finished = true;
    void sink?.abort();
    fail(ws, err);
  };
  const written = new ReceiveCounter();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (finished) return;
    try {
      if (!sink) throw new AppError('WS_BAD_FRAME', 'data before ready');
      if (isBinary) {
        // Credit goes back only once the bytes are on disk, so a slow disk slows the console.
        sink.write(data, () => {
          const total = written.consumed(data.length);
          if (total !== undefined && !finished) sendJson(ws, { t: 'ack', bytes: total });
        });
        return;
      }
      const ctl = decodeTransferControl(data.toString('utf8'));
      if (ctl.t === 'cancel') {
        finished = true;
        void sink.abort();
        ws.close(1000, 'cancelled');
      } else if (ctl.t === 'end') {
        finished = true;
        const s = sink;
        void s.finish(ctl.sha256).then(
          (r) => {
            sendJson(ws, { t: 'done', size: r.size, sha256: r.sha256 });
            ws.close(1000, 'done');
          },
          (err) => fail(ws, err),
        );
      }
    } catch (err) {
      stop(err);
    }
  });
  try {
    const size = typeof params.size === 'number' ? params.size : -1;
    sink = await UploadSink.open(policy, paramPath(params), size, params.overwrite === true);
    if (ws.readyState !== ws.OPEN) return void sink.abort();
    sendJson(ws, { t: 'ready' });
  } catch (err) {
    stop(err);
  }
}

async function serveDownload(ws: WebSocket, policy: FilePolicy, params: Readonly<Record<string, unknown>>): Promise<void> {
  let source: DownloadSource | undefined;
  const credit = new SendWindow();
  let closed = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  ws.on('close', () => {
    closed = true;
    source?.destroy();
    poke();
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    try {
      if (isBinary) throw new AppError('WS_BAD_FRAME', 'binary frame from the console on a download');
      const ctl = decodeTransferControl(data.toString('utf8'));
      if (ctl.t === 'ack') {
        consoleHere = true;
        if (!credit.acked(ctl.bytes)) throw new AppError('WS_BAD_FRAME', 'acknowledged more than was sent');
      } else if (ctl.t === 'cancel') {
        closed = true;
        source?.destroy();
        ws.close(1000, 'cancelled');
      }
      poke();
    } catch (err) {
      closed = true;
      source?.destroy();
      fail(ws, err);
    }
  });
  // Nothing is sent before the console's first ack (`bytes: 0`) says its end is connected: the appliance holds only
  // a little for a peer that has not arrived yet.
  let consoleHere = false;
  const hasRoom = (): boolean => closed || (consoleHere && credit.available > 0 && ws.bufferedAmount < SEND_HIGH_WATER);
  try {
    source = await openDownload(policy, paramPath(params));
    while (!hasRoom()) await new Promise<void>((resolve) => (wake = resolve));
    if (closed) return source.destroy();
    sendJson(ws, { t: 'meta', name: source.name, size: source.size, archive: source.archive });
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of source.chunks) {
      while (!hasRoom()) await new Promise<void>((resolve) => (wake = resolve));
      if (closed) return;
      hash.update(chunk);
      credit.sent(chunk.length);
      bytes += chunk.length;
      // The callback fires once the chunk is handed to the kernel: room in the socket again.
      ws.send(chunk, { binary: true }, poke);
    }
    if (closed) return;
    sendJson(ws, { t: 'end', size: bytes, sha256: hash.digest('hex') });
    ws.close(1000, 'done');
  } catch (err) {
    source?.destroy();
    if (!closed) fail(ws, err);
  }
}
