/**
 * Transfers on real files: an upload lands only after its checksum matched
 * and leaves no temporary file behind when it is cancelled, cut short,
 * oversized or mismatched; an existing file is kept unless overwrite was
 * asked for. A folder download is a tar stream whose entries read back with
 * the same contents (a symlink stays a symlink).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { extract } from 'tar-stream';
import { AppError } from '../../../common/errors.ts';
import { openDownload } from './download-source.ts';
import type { FilePolicy } from './path-policy.ts';
import { UploadSink } from './upload-sink.ts';

function folder(t: { teardown(fn: () => void): void }): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'rd-xfer-')));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const up = (root: string): FilePolicy => ({ mode: 'upload', allowedPaths: [root] });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof AppError ? err.code : `not coded: ${(err as Error).message}`;
  }
}

t.test('upload: in place only after the checksum matched, no temporary file left', async (t) => {
  const root = folder(t);
  const data = Buffer.from('x'.repeat(300_000));
  const sink = await UploadSink.open(up(root), `${root}/f.txt`, data.length, false);
  t.same(readdirSync(root).filter((n) => n.endsWith('.part')).length, 1, 'a temporary file while it runs');
  t.notOk(existsSync(`${root}/f.txt`), 'not visible under its name yet');
  sink.write(data.subarray(0, 100_000));
  sink.write(data.subarray(100_000));
  t.same(await sink.finish(sha(data)), { size: data.length, sha256: sha(data) });
  t.same(readFileSync(`${root}/f.txt`), data);
  t.same(readdirSync(root), ['f.txt']);
});

t.test('upload failures leave nothing behind', async (t) => {
  const root = folder(t);
  const data = Buffer.from('payload');
  const p = up(root);
  let s = await UploadSink.open(p, `${root}/bad-sum`, data.length, false);
  s.write(data);
  t.equal(await code(s.finish('0'.repeat(64))), 'FILE_CHECKSUM');
  s = await UploadSink.open(p, `${root}/short`, data.length + 1, false);
  s.write(data);
  t.equal(await code(s.finish(sha(data))), 'FILE_SIZE');
  s = await UploadSink.open(p, `${root}/long`, 3, false);
  t.throws(() => s.write(data), { code: 'FILE_SIZE' });
  await s.abort();
  s = await UploadSink.open(p, `${root}/cancelled`, data.length, false);
  s.write(data.subarray(0, 2));
  await s.abort();
  t.same(readdirSync(root), [], 'no file and no temporary file');
  t.equal(await code(UploadSink.open({ mode: 'none', allowedPaths: [] }, `${root}/x`, 1, false)), 'PERMISSION_DENIED');
  t.equal(await code(UploadSink.open(p, `${root}/../x`, 1, false)), 'PATH_TRAVERSAL');
  t.equal(await code(UploadSink.open(p, '/etc/x', 1, false)), 'PATH_NOT_ALLOWED');
  t.equal(await code(UploadSink.open(p, `${root}/x`, -1, false)), 'FILE_SIZE');
  t.same(readdirSync(root), []);
});

t.test('upload never replaces unless asked', async (t) => {
  const root = folder(t);
  writeFileSync(`${root}/keep`, 'old');
  mkdirSync(`${root}/dir`);
  const p = up(root);
  t.equal(await code(UploadSink.open(p, `${root}/keep`, 3, false)), 'FILE_EXISTS');
  t.equal(await code(UploadSink.open(p, `${root}/dir`, 3, true)), 'FILE_EXISTS', 'a folder is never replaced');
  // Created meanwhile by someone else: the hard link refuses, the other file stays.
  const s = await UploadSink.open(p, `${root}/race`, 3, false);
  s.write(Buffer.from('new'));
  writeFileSync(`${root}/race`, 'theirs');
  t.equal(await code(s.finish(sha(Buffer.from('new')))), 'FILE_EXISTS');
  t.equal(readFileSync(`${root}/race`, 'utf8'), 'theirs');
  const o = await UploadSink.open(p, `${root}/keep`, 3, true);
  o.write(Buffer.from('new'));
  await o.finish(sha(Buffer.from('new')));
  t.equal(readFileSync(`${root}/keep`, 'utf8'), 'new');
  t.same(readdirSync(root).sort(), ['dir', 'keep', 'race']);
});

t.test('folder download: a tar stream with the same contents', async (t) => {
  const root = folder(t);
  mkdirSync(`${root}/pack/sub`, { recursive: true });
  const big = Buffer.alloc(700_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  writeFileSync(`${root}/pack/big.bin`, big);
  writeFileSync(`${root}/pack/sub/empty`, '');
  symlinkSync('/etc/passwd', `${root}/pack/link`);
  const src = await openDownload({ mode: 'both', allowedPaths: [root] }, `${root}/pack`);
  t.equal(src.name, 'pack.tar');
  t.equal(src.archive, true);
  t.equal(src.size, null);
  const entries = new Map<string, { type: string; body: Buffer; linkname?: string }>();
  const ex = extract();
  ex.on('entry', (h, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => void parts.push(c as Buffer));
    stream.on('end', () => {
      entries.set(h.name, { type: h.type ?? '', body: Buffer.concat(parts), linkname: h.linkname ?? undefined });
      next();
    });
  });
  const finished = new Promise<void>((resolve) => ex.on('finish', () => resolve()));
  for await (const chunk of src.chunks) ex.write(chunk);
  ex.end(undefined as unknown as Buffer);
  await finished;
  t.same([...entries.keys()].sort(), ['pack/', 'pack/big.bin', 'pack/link', 'pack/sub/', 'pack/sub/empty']);
  t.same(entries.get('pack/big.bin')!.body, big);
  t.equal(entries.get('pack/link')!.type, 'symlink');
  t.equal(entries.get('pack/link')!.linkname, '/etc/passwd', 'stored as a link, not followed');
  const file = await openDownload({ mode: 'both', allowedPaths: [] }, `${root}/pack/big.bin`);
  const parts: Buffer[] = [];
  for await (const c of file.chunks) parts.push(c);
  t.same(Buffer.concat(parts), big);
  t.equal(file.size, big.length);
});
