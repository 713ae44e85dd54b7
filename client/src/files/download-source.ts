/**
 * What a download reads: one file, or a folder packed as a tar archive on
 * the fly (tar-stream), never built in memory or on disk first. Either way
 * the result is an async iterable of chunks that is pulled only as fast as
 * the channel takes them, so memory stays at a few chunks whatever the size.
 *
 * In an archive, entries are read with lstat and never followed: a symlink
 * inside the folder goes into the archive as a symlink, so nothing outside
 * the (already checked) folder is read. Sockets, devices and FIFOs are left out.
 */
import { constants, promises as fs, type Stats } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { pack as tarPack, type Pack } from 'tar-stream';
import { FILE_CHUNK_BYTES } from '../../../common/files-protocol.ts';
import { fsError } from './fs-errors.ts';
import { requireMode, resolveExisting, type FilePolicy } from './path-policy.ts';

export interface DownloadSource {
  /** File name to save as (the folder name + `.tar` for an archive). */
  name: string;
  /** Bytes, or null for an archive (its length is known only at the end). */
  size: number | null;
  archive: boolean;
  chunks: AsyncIterable<Buffer>;
  /** Stops reading and releases files (cancelled or failed transfer). */
  destroy(): void;
}

export async function openDownload(policy: FilePolicy, p: string): Promise<DownloadSource> {
  requireMode(policy, 'download');
  const real = await resolveExisting(policy, p);
  let st: Stats;
  try {
    st = await fs.stat(real);
  } catch (err) {
    throw fsError(err, p);
  }
  const base = path.posix.basename(real) || 'root';
  if (st.isDirectory()) return openArchive(real, base);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw fsError(err, p);
  }
  // The stream owns the handle and closes it when it ends or is destroyed.
  const stream = handle.createReadStream({ highWaterMark: FILE_CHUNK_BYTES });
  return { name: base, size: st.size, archive: false, chunks: stream, destroy: () => stream.destroy() };
}

function openArchive(root: string, base: string): DownloadSource {
  const pack = tarPack();
  let stopped = false;
  const fail = (err: unknown): void => {
    if (!stopped) pack.destroy(fsError(err));
  };
  void (async () => {
    try {
      await addTree(pack, root, base, () => stopped);
      pack.finalize();
    } catch (err) {
      fail(err);
    }
  })();
  return {
    name: `${base}.tar`,
    size: null,
    archive: true,
    chunks: pack as unknown as AsyncIterable<Buffer>,
    destroy: () => {
      stopped = true;
      pack.destroy();
    },
  };
}

function addEntry(pack: Pack, header: Parameters<Pack['entry']>[0]): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
}

async function addFile(pack: Pack, full: string, name: string, st: Stats): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return; // unreadable for this user (or swapped for a link): left out of the archive
  }
  let entry!: ReturnType<Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    entry = pack.entry({ name, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime, type: 'file' }, (err) => (err ? reject(err) : resolve()));
  });
  const rs = handle.createReadStream({ highWaterMark: FILE_CHUNK_BYTES, start: 0, end: Math.max(0, st.size - 1) });
  try {
    let sent = 0;
    if (st.size > 0) {
      for await (const chunk of rs as AsyncIterable<Buffer>) {
        sent += chunk.length;
        if (!entry.write(chunk)) await once(entry, 'drain');
      }
    }
    // A file that shrank while being read: pad, so the archive stays well-formed (its size was promised in the header).
    if (sent < st.size) entry.write(Buffer.alloc(st.size - sent));
    entry.end(undefined as unknown as Buffer);
    await done;
  } finally {
    rs.destroy();
  }
}

async function addTree(pack: Pack, dir: string, prefix: string, stopped: () => boolean): Promise<void> {
  const st = await fs.lstat(dir);
  await addEntry(pack, { name: `${prefix}/`, type: 'directory', mode: st.mode & 0o7777, mtime: st.mtime });
  const names = (await fs.readdir(dir)).sort();
  for (const n of names) {
    if (stopped()) return;
    const full = path.posix.join(dir, n);
    const name = `${prefix}/${n}`;
    let s: Stats;
    try {
      s = await fs.lstat(full);
    } catch {
      continue; // removed meanwhile
    }
    if (s.isDirectory()) await addTree(pack, full, name, stopped);
    else if (s.isSymbolicLink()) await addEntry(pack, { name, type: 'symlink', linkname: await fs.readlink(full), mtime: s.mtime });
    else if (s.isFile()) await addFile(pack, full, name, s);
  }
}
