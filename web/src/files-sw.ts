/**
 * The service worker behind streamed downloads in browsers without the File
 * System Access API (served as /assets/files-sw.js, scope /assets/). The
 * console page hands it a MessagePort per download; the worker turns what
 * arrives on the port into a ReadableStream and answers the page's hidden
 * iframe request for /assets/files-dl/<id> with it as an attachment, so the
 * browser's download manager writes the bytes to disk as they come.
 *
 * Port protocol (page ⇄ worker):
 *   page → worker: { chunk: ArrayBuffer } | { end: true } | { abort: true }
 *   worker → page: { pull: true } — the stream has room for one more chunk
 *                  (its queue holds at most QUEUE_BYTES), { cancelled: true }
 * So the page never sends faster than the disk takes it.
 */

/** Bytes the stream queues before it stops asking for more: 4 MiB. */
const QUEUE_BYTES = 4 * 1024 * 1024;
/** A download id is what files-save.ts makes: 22 base64url characters. */
const DOWNLOAD_PATH = /\/assets\/files-dl\/([A-Za-z0-9_-]{22})$/;

interface Pending {
  stream: ReadableStream<Uint8Array>;
  name: string;
  size: number | null;
}

interface WorkerScope {
  addEventListener(type: 'install' | 'activate', fn: (ev: { waitUntil(p: Promise<unknown>): void }) => void): void;
  addEventListener(type: 'message', fn: (ev: MessageEvent) => void): void;
  addEventListener(type: 'fetch', fn: (ev: { request: Request; respondWith(r: Response): void }) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
}

const worker = self as unknown as WorkerScope;
const pending = new Map<string, Pending>();

worker.addEventListener('install', (ev) => ev.waitUntil(worker.skipWaiting()));
worker.addEventListener('activate', (ev) => ev.waitUntil(worker.clients.claim()));

worker.addEventListener('message', (ev) => {
  const data = ev.data as { id?: unknown; name?: unknown; size?: unknown };
  const port = ev.ports[0];
  if (!port || typeof data.id !== 'string' || typeof data.name !== 'string') return;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        port.onmessage = (m: MessageEvent) => {
          const d = m.data as { chunk?: ArrayBuffer; end?: boolean; abort?: boolean };
          if (d.chunk) controller.enqueue(new Uint8Array(d.chunk));
          else if (d.end) controller.close();
          else if (d.abort) controller.error(new Error('download aborted'));
        };
      },
      pull() {
        port.postMessage({ pull: true });
      },
      cancel() {
        port.postMessage({ cancelled: true });
      },
    },
    { highWaterMark: QUEUE_BYTES, size: (chunk) => chunk.byteLength },
  );
  pending.set(data.id, { stream, name: data.name, size: typeof data.size === 'number' ? data.size : null });
  port.postMessage({ ready: true });
});

worker.addEventListener('fetch', (ev) => {
  const m = DOWNLOAD_PATH.exec(new URL(ev.request.url).pathname);
  if (!m) return;
  const entry = pending.get(m[1]!);
  if (!entry) return;
  pending.delete(m[1]!);
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
    'X-Content-Type-Options': 'nosniff',
  };
  if (entry.size !== null) headers['Content-Length'] = String(entry.size);
  ev.respondWith(new Response(entry.stream, { headers }));
});
