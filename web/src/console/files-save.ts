/**
 * Where a download is written in the rep's browser, chosen in the click that
 * starts it (browsers allow their pickers only from a user gesture):
 *
 *   - File System Access API (Chromium): `showSaveFilePicker` for one file,
 *     `showDirectoryPicker` for several; bytes go straight to disk through a
 *     writable stream, so memory holds only the chunk being written;
 *   - otherwise: the parts are collected in a Blob and handed to the
 *     browser's download manager at the end (browsers keep large Blobs on
 *     disk, not in the page's heap, but the whole file passes through the
 *     Blob store before it appears in Downloads).
 *
 * A sink that is aborted removes what it wrote where the API allows it.
 */

export interface SaveSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens the sink for one file of a download, by name. */
export type SinkFactory = (name: string) => Promise<SaveSink>;

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
  return async (name) => blobSink(name);
}
