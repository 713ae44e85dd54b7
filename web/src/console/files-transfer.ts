/**
 * File transfers in the rep's browser, one channel each (common/files-protocol.ts):
 *
 *   upload   — reads the File with `file.stream()` and sends it in chunks of
 *              FILE_CHUNK_BYTES, keeping at most a window (common/flow.ts)
 *              that the client has not yet written to its disk, and waiting
 *              while the socket holds more than UPLOAD_HIGH_WATER unsent
 *              bytes; SHA-256 as it goes; at the end the client's checksum
 *              must equal ours.
 *   download — writes each chunk to the chosen sink (files-save.ts) before
 *              acknowledging it, so the client never has more than a window
 *              in flight to us; SHA-256 as it goes, compared with the
 *              client's at the end.
 *
 * A Transfer is the observable record the transfers pane draws; `cancel`
 * stops it (the client removes a partial upload).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { FILE_CHUNK_BYTES, type TransferReply } from '../../../common/files-protocol.ts';
import { ReceiveCounter, SendWindow } from '../../../common/flow.ts';
import { ApiError } from '../net/api.ts';
import { openChannel } from '../net/channel-socket.ts';
import type { ConsoleContext } from './console-context.ts';
import type { SaveSink, SinkFactory } from './files-save.ts';

/** Unsent bytes the browser socket may hold before an upload waits: 4 MiB. */
export const UPLOAD_HIGH_WATER = 4 * 1024 * 1024;
/** How often a waiting upload looks at the socket again (browsers have no drain event): 20 ms. */
const UPLOAD_POLL_MS = 20;

export type TransferState = 'running' | 'done' | 'failed' | 'cancelled';

export interface Transfer {
  readonly id: number;
  readonly direction: 'upload' | 'download';
  name: string;
  readonly remotePath: string;
  /** Bytes in total; null while unknown (folder archive). */
  total: number | null;
  done: number;
  readonly startedAt: number;
  endedAt: number | null;
  state: TransferState;
  /** ok: both SHA-256 agree; mismatch: they differ (upload: the client kept nothing). */
  checksum: 'ok' | 'mismatch' | null;
  sha256: string | null;
  error: unknown;
  cancel(): void;
}

let nextId = 1;

function newTransfer(direction: Transfer['direction'], name: string, remotePath: string, total: number | null): Transfer & { cancelled: boolean; onCancel?: () => void } {
  const t = {
    id: nextId++,
    direction,
    name,
    remotePath,
    total,
    done: 0,
    startedAt: Date.now(),
    endedAt: null,
    state: 'running' as TransferState,
    checksum: null,
    sha256: null,
    error: null,
    cancelled: false,
    onCancel: undefined as (() => void) | undefined,
    cancel() {
      if (t.state !== 'running') return;
      t.cancelled = true;
      t.onCancel?.();
    },
  };
  return t;
}

/** A channel with its control frames as a queue, so the transfer code can await the next one. */
class TransferSocket {
  private readonly controls: TransferReply[] = [];
  private waiter: ((m: TransferReply | undefined) => void) | undefined;
  closed = false;
  onBinary: ((data: ArrayBuffer) => void) | undefined;
  /** Upload credit from the client: its running total of bytes on disk. */
  onAck: ((bytes: number) => void) | undefined;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (ev) => {
      if (typeof ev.data === 'string') {
        let m: TransferReply;
        try {
          m = JSON.parse(ev.data) as TransferReply;
        } catch {
          return;
        }
        if (m.t === 'ack') this.onAck?.(m.bytes);
        else this.push(m);
      } else this.onBinary?.(ev.data as ArrayBuffer);
    });
    ws.addEventListener('close', () => {
      this.closed = true;
      this.waiter?.(undefined);
      this.waiter = undefined;
    });
  }

  private push(m: TransferReply): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(m);
    } else this.controls.push(m);
  }

  /** The next control frame; throws the client's coded error, or `network` when the channel closed first. */
  async next(): Promise<TransferReply> {
    const m = this.controls.shift() ?? (this.closed ? undefined : await new Promise<TransferReply | undefined>((r) => (this.waiter = r)));
    if (!m) throw new ApiError('network', 0);
    if (m.t === 'error') throw new ApiError(m.code, 400, m.detail);
    return m;
  }

  send(data: string | Uint8Array): void {
    // File chunks are views on ArrayBuffers (never shared memory).
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data as string | Uint8Array<ArrayBuffer>);
  }

  close(): void {
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
  }
}

async function openTransfer(ctx: ConsoleContext, req: { sessionId: string; direction: 'upload' | 'download'; path: string; size?: number; overwrite?: boolean }): Promise<TransferSocket> {
  const answer = await ctx.link.request({ t: 'file_transfer', ...req });
  if (answer.t !== 'channel_ticket') throw new ApiError('unexpected', 0);
  return new TransferSocket(openChannel(answer.ticket));
}

function finish(t: Transfer, state: TransferState, error?: unknown): void {
  t.state = state;
  t.endedAt = Date.now();
  if (error !== undefined) t.error = error;
}

/** Uploads one File to `remotePath` (folder + name). Never throws: the outcome is in the Transfer. */
export function startUpload(ctx: ConsoleContext, sessionId: string, file: File, remotePath: string, changed: () => void, overwrite = false): Transfer {
  const t = newTransfer('upload', file.name, remotePath, file.size);
  void (async () => {
    let sock: TransferSocket | undefined;
    t.onCancel = () => {
      sock?.send(JSON.stringify({ t: 'cancel' }));
      sock?.close();
    };
    try {
      sock = await openTransfer(ctx, { sessionId, direction: 'upload', path: remotePath, size: file.size, ...(overwrite ? { overwrite: true } : {}) });
      if (t.cancelled) throw new ApiError('FILE_CANCELLED', 0);
      const ready = await sock.next();
      if (ready.t !== 'ready') throw new ApiError('unexpected', 0);
      const s = sock;
      const credit = new SendWindow();
      let wake: (() => void) | undefined;
      s.onAck = (bytes) => {
        credit.acked(bytes);
        wake?.();
      };
      const roomFor = (n: number): boolean => s.closed || t.cancelled || (credit.available >= Math.min(n, credit.window) && s.ws.bufferedAmount <= UPLOAD_HIGH_WATER);
      const hash = sha256.create();
      const reader = file.stream().getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (let off = 0; off < value.length; off += FILE_CHUNK_BYTES) {
          const piece = value.subarray(off, Math.min(off + FILE_CHUNK_BYTES, value.length));
          // Waits for credit (an ack wakes it) or for the socket to drain (browsers have no drain event: poll).
          while (!roomFor(piece.length)) await new Promise<void>((r) => ((wake = r), setTimeout(r, UPLOAD_POLL_MS)));
          if (t.cancelled) throw new ApiError('FILE_CANCELLED', 0);
          if (sock.closed) return void finish(t, 'failed', await sock.next().catch((e: unknown) => e));
          hash.update(piece);
          credit.sent(piece.length);
          sock.send(piece);
          t.done += piece.length;
          changed();
        }
      }
      const ours = bytesToHex(hash.digest());
      sock.send(JSON.stringify({ t: 'end', sha256: ours }));
      const done = await sock.next();
      if (done.t !== 'done') throw new ApiError('unexpected', 0);
      t.sha256 = ours;
      t.checksum = done.sha256 === ours ? 'ok' : 'mismatch';
      finish(t, t.checksum === 'ok' ? 'done' : 'failed');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'FILE_CHECKSUM') t.checksum = 'mismatch';
      finish(t, t.cancelled ? 'cancelled' : 'failed', err);
    } finally {
      sock?.close();
      changed();
    }
  })();
  return t;
}

/** Downloads a file or a folder (as `<name>.tar`) into sinks from `sinks`. Never throws. */
export function startDownload(ctx: ConsoleContext, sessionId: string, remotePath: string, name: string, sinks: SinkFactory, changed: () => void): Transfer {
  const t = newTransfer('download', name, remotePath, null);
  void (async () => {
    let sock: TransferSocket | undefined;
    let sink: SaveSink | undefined;
    t.onCancel = () => {
      sock?.send(JSON.stringify({ t: 'cancel' }));
      sock?.close();
    };
    try {
      sock = await openTransfer(ctx, { sessionId, direction: 'download', path: remotePath });
      const s = sock;
      // The first ack tells the client this end is connected; it sends nothing before.
      s.ws.addEventListener('open', () => s.send(JSON.stringify({ t: 'ack', bytes: 0 })), { once: true });
      const hash = sha256.create();
      const counter = new ReceiveCounter();
      // Chunks are written one after another; each is acknowledged only once on disk.
      let writing: Promise<void> = Promise.resolve();
      let writeError: unknown;
      let sinkOpened!: (k: SaveSink | undefined) => void;
      const sinkReady = new Promise<SaveSink | undefined>((r) => (sinkOpened = r));
      s.onBinary = (data) => {
        const chunk = new Uint8Array(data);
        writing = writing.then(async () => {
          const k = await sinkReady;
          if (writeError || !k) return;
          try {
            await k.write(chunk);
          } catch (err) {
            writeError = err;
            s.close();
            return;
          }
          hash.update(chunk);
          t.done += chunk.length;
          const total = counter.consumed(chunk.length);
          if (total !== undefined) s.send(JSON.stringify({ t: 'ack', bytes: total }));
          changed();
        });
      };
      try {
        const meta = await s.next();
        if (meta.t !== 'meta') throw new ApiError('unexpected', 0);
        t.total = meta.size;
        t.name = meta.name;
        sink = await sinks(meta.name, meta.size);
      } finally {
        sinkOpened(sink);
      }
      changed();
      const end = await s.next();
      if (end.t !== 'end') throw new ApiError('unexpected', 0);
      await writing;
      if (writeError) throw writeError;
      const ours = bytesToHex(hash.digest());
      t.sha256 = ours;
      t.checksum = end.sha256 === ours && end.size === t.done ? 'ok' : 'mismatch';
      if (t.checksum === 'ok') await sink.close();
      else await sink.abort();
      finish(t, t.checksum === 'ok' ? 'done' : 'failed');
    } catch (err) {
      await sink?.abort();
      finish(t, t.cancelled ? 'cancelled' : 'failed', err);
    } finally {
      sock?.close();
      changed();
    }
  })();
  return t;
}
