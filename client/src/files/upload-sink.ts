/**
 * Where an upload's bytes go: a temporary file beside the target
 * (`.relaydesk-<random>.part`, created exclusively, mode 0600), hashed with
 * SHA-256 as it is written. Only when every announced byte arrived and the
 * console's checksum equals ours is it put in place: with a hard link, so an
 * existing file is never replaced unless `overwrite` was asked for (then a
 * rename). A cancelled, cut or mismatched upload removes the temporary file
 * and leaves the folder as it was.
 *
 * Contract: `write`'s callback runs once the chunk is on disk (the caller
 * grants credit then). At most one of `finish` / `abort` takes effect.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { AppError } from '../../../common/errors.ts';
import { fsError } from './fs-errors.ts';
import { requireMode, resolveEntry, type FilePolicy } from './path-policy.ts';

/** Largest upload a channel accepts: 1 TiB, far above any real transfer, to bound the size field. */
export const MAX_UPLOAD_BYTES = 2 ** 40;

export class UploadSink {
  private readonly hash: Hash = createHash('sha256');
  private received = 0;
  private settled = false;
  /** A write error (disk full, I/O): reported by the next write or by finish. */
  private failure: unknown = undefined;

  private constructor(
    readonly target: string,
    readonly temp: string,
    readonly size: number,
    private readonly overwrite: boolean,
    private readonly out: WriteStream,
  ) {
    out.on('error', (err) => {
      this.failure ??= err;
    });
  }

  /** Checks the target against the policy and creates the temporary file. */
  static async open(policy: FilePolicy, p: string, size: number, overwrite: boolean): Promise<UploadSink> {
    requireMode(policy, 'upload');
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_UPLOAD_BYTES) throw new AppError('FILE_SIZE', 'size must be a whole number of bytes');
    const { dir, full } = await resolveEntry(policy, p);
    try {
      const st = await fs.lstat(full);
      if (st.isDirectory() || !overwrite) throw new AppError('FILE_EXISTS', p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(err, p);
    }
    const temp = path.posix.join(dir, `.relaydesk-${randomBytes(8).toString('hex')}.part`);
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    try {
      await once(out, 'open');
    } catch (err) {
      throw fsError(err, path.posix.dirname(p));
    }
    return new UploadSink(full, temp, size, overwrite, out);
  }

  get bytes(): number {
    return this.received;
  }

  /** Queues a chunk; `written` runs once it is on disk. Throws FILE_SIZE past the announced size. */
  write(chunk: Buffer, written?: () => void): void {
    if (this.settled) return;
    if (this.failure) throw fsError(this.failure, this.target);
    if (this.received + chunk.length > this.size) throw new AppError('FILE_SIZE', `more than ${this.size} bytes`);
    this.received += chunk.length;
    this.hash.update(chunk);
    this.out.write(chunk, (err) => {
      if (!err) written?.();
    });
  }

  /** Verifies size and checksum, then puts the file in place. Removes the temporary file on any failure. */
  async finish(sha256: string): Promise<{ size: number; sha256: string }> {
    if (this.settled) throw new AppError('FILE_CANCELLED');
    this.settled = true;
    try {
      this.out.end();
      if (!this.out.closed) await once(this.out, 'close');
      if (this.failure) throw this.failure;
      if (this.received !== this.size) throw new AppError('FILE_SIZE', `${this.received} of ${this.size} bytes`);
      const ours = this.hash.digest('hex');
      if (ours !== sha256) throw new AppError('FILE_CHECKSUM', `expected ${sha256}, got ${ours}`);
      await fs.chmod(this.temp, 0o644 & ~process.umask());
      await this.place();
      return { size: this.received, sha256: ours };
    } catch (err) {
      await fs.rm(this.temp, { force: true }).catch(() => undefined);
      throw fsError(err, this.target);
    }
  }

  private async place(): Promise<void> {
    if (this.overwrite) {
      await fs.rename(this.temp, this.target);
      return;
    }
    try {
      await fs.link(this.temp, this.target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new AppError('FILE_EXISTS', this.target);
      // File systems without hard links (FAT, some network mounts): check, then rename.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
      try {
        await fs.lstat(this.target);
        throw new AppError('FILE_EXISTS', this.target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      await fs.rename(this.temp, this.target);
      return;
    }
    await fs.rm(this.temp, { force: true });
  }

  /** Stops and removes the temporary file (cancel, cut, error). */
  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    if (!this.out.closed) {
      this.out.destroy();
      await once(this.out, 'close').catch(() => undefined);
    }
    await fs.rm(this.temp, { force: true }).catch(() => undefined);
  }
}
