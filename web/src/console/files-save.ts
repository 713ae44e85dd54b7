/**
 * Where a download is written in the rep's browser, chosen in the click that
 * starts it (browsers allow their pickers only from a user gesture):
 *
 *   - File System Access API (Chromium): `showSaveFilePicker` for one file,
 *     `showDirectoryPicker` for several; bytes go straight to disk through a
 *     writable stream, so memory holds only the chunk being written;
 *   - otherwise a service worker (files-sw.ts) turns the bytes into a
 *     streamed response that the browser's download manager saves as they
 *     arrive; each write waits until the worker's stream has room, so the
 *     download manager's pace is the transfer's pace;
 *   - without service workers either: the parts are collected in a Blob and
 *     handed to the download manager at the end (browsers keep large Blobs
 *     on disk rather than in the page's heap, but the whole file passes
 *     through the Blob store first).
 *
 * A sink that is aborted removes what it wrote where the API allows it.
 */

export interface SaveSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens the sink for one file of a download, by name and size (null when unknown ahead). */
export type SinkFactory = (name: string, size: number | null) => Promise<SaveSink>;

/** Where the download worker lives and what it serves (see files-sw.ts). */
const WORKER_URL = '/assets/files-sw.js';
const WORKER_SCOPE = '/assets/';
/** How long a streamed download's iframe stays after the last byte (the download manager has taken over by then). */
const IFRAME_LINGER_MS = 60_000;

interface WritableFile {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}
interface FileHandleLike {
  createWritable(): Promise<WritableFile>;
}
interface DirHandleLike {
  getFileHandle(name: string, opts: { create: boolean }): Promise<FileHandleLike>;
  removeEntry?(name: string): Promise<void>;
}
interface PickerWindow {
  showSaveFilePicker?(opts: { suggestedName: string }): Promise<FileHandleLike>;
  showDirectoryPicker?(opts: { mode: 'readwrite' }): Promise<DirHandleLike>;
}

function fromWritable(w: WritableFile, onAbort?: () => Promise<void>): SaveSink {
  return {
    write: (c) => w.write(c),
    close: () => w.close(),
    abort: async () => {
      await w.abort().catch(() => undefined);
      await onAbort?.().catch(() => undefined);
    },
  };
}

function blobSink(name: string): SaveSink {
  let parts: BlobPart[] = [];
  return {
    async write(c) {
      parts.push(c.slice());
    },
    async close() {
      const url = URL.createObjectURL(new Blob(parts, { type: 'application/octet-stream' }));
      parts = [];
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    async abort() {
      parts = [];
    },
  };
}

async function activeWorker(): Promise<ServiceWorker | undefined> {
  if (!('serviceWorker' in navigator)) return undefined;
  try {
    const reg = await navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE });
    const sw = reg.active ?? reg.installing ?? reg.waiting;
    if (!sw) return undefined;
    if (sw.state !== 'activated') {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (sw.state === 'activated') resolve();
        };
        sw.addEventListener('statechange', check);
        check();
      });
    }
    return sw;
  } catch {
    return undefined;
  }
}

function downloadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A sink that streams through the download worker into the browser's download manager. */
/** A worker that has just activated may drop the first message: ask again this often, this many times. */
const WORKER_RETRY_MS = 500;
const WORKER_TRIES = 10;

/** Hands the worker a port for download `id`; resolves with the port once the worker confirmed it. */
async function workerPort(sw: ServiceWorker, id: string, name: string, size: number | null): Promise<{ port: MessagePort; pulls: number } | undefined> {
  for (let i = 0; i < WORKER_TRIES; i++) {
    const channel = new MessageChannel();
    let pulls = 0;
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), WORKER_RETRY_MS);
      channel.port1.onmessage = (ev: MessageEvent) => {
        const d = ev.data as { ready?: boolean; pull?: boolean };
        if (d.pull) pulls++;
        if (d.ready) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      sw.postMessage({ id, name, size }, [channel.port2]);
    });
    if (ok) return { port: channel.port1, pulls };
    channel.port1.close();
  }
  return undefined;
}

/** A sink that streams through the download worker into the browser's download manager (a Blob when the worker does not answer). */
async function workerSink(sw: ServiceWorker, name: string, size: number | null): Promise<SaveSink> {
  const id = downloadId();
  const opened = await workerPort(sw, id, name, size);
  if (!opened) return blobSink(name);
  const { port } = opened;
  let room = opened.pulls;
  let cancelled = false;
  let wake: (() => void) | undefined;
  port.onmessage = (ev: MessageEvent) => {
    const d = ev.data as { pull?: boolean; cancelled?: boolean };
    if (d.pull) room++;
    if (d.cancelled) cancelled = true;
    wake?.();
  };
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = `${WORKER_SCOPE}files-dl/${id}`;
  document.body.append(frame);
  const drop = (): void => void setTimeout(() => frame.remove(), IFRAME_LINGER_MS);
  return {
    async write(chunk) {
      while (room === 0 && !cancelled) await new Promise<void>((r) => (wake = r));
      if (cancelled) throw new DOMException('The download was cancelled in the browser.', 'AbortError');
      room--;
      const copy = chunk.slice().buffer;
      port.postMessage({ chunk: copy }, [copy]);
    },
    async close() {
      port.postMessage({ end: true });
      drop();
    },
    async abort() {
      port.postMessage({ abort: true });
      drop();
    },
  };
}

/**
 * Asks where to save `names` (call synchronously from the click handler).
 * Resolves with a factory, or undefined when the rep cancelled the picker.
 */
export async function chooseSaveTarget(names: string[]): Promise<SinkFactory | undefined> {
  const w = window as unknown as PickerWindow;
  try {
    if (names.length === 1 && w.showSaveFilePicker) {
      const handle = await w.showSaveFilePicker({ suggestedName: names[0]! });
      return async () => fromWritable(await handle.createWritable());
    }
    if (names.length > 1 && w.showDirectoryPicker) {
      const dir = await w.showDirectoryPicker({ mode: 'readwrite' });
      return async (name) => fromWritable(await (await dir.getFileHandle(name, { create: true })).createWritable(), async () => dir.removeEntry?.(name));
    }
  } catch (err) {
    if ((err as DOMException).name === 'AbortError') return undefined;
    throw err;
  }
  const sw = await activeWorker();
  if (sw) return async (name, size) => workerSink(sw, name, size);
  return async (name) => blobSink(name);
}
