/**
 * File transfer end to end (F24): the real appliance, the real customer
 * client (downloaded and run as a process, its home in a temporary folder)
 * and a rep on hand-crafted WebSocket frames.
 *
 *   - browse: volumes, list, new folder, rename, delete, with event lines;
 *   - every refusal: a non-member, file transfer 'none', an upload-only rep
 *     asking for a download, paths outside the allowed paths, `..`, NUL,
 *     relative paths, a symlink leading out (caught by the client), a
 *     permission narrowed while a file view is open; each leaves the disk
 *     as it was;
 *   - a cancelled upload leaves no file and no temporary file;
 *   - 200 MB of random bytes up and down again through the appliance with
 *     SHA-256 compared on both ends, while the resident memory of the
 *     appliance and the client is sampled: it must stay far below the file
 *     size (the bound is generous; the point is that it does not grow with it).
 * Needs `node scripts/build.mjs` first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { ReceiveCounter, SendWindow } from '../common/flow.ts';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient } from './helpers/customer.ts';
import { adminAgent } from './helpers/rep.ts';

const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'relaydesk-files-test-')));
const dataDir = path.join(work, 'data');
const home = path.join(work, 'home');
const allowed = path.join(home, 'allowed');
const outside = path.join(home, 'outside');
mkdirSync(dataDir);
mkdirSync(allowed, { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(outside, 'secret.txt'), 'secret');
symlinkSync(outside, path.join(allowed, 'escape'));

const app = await startAppliance({ dataDir });
t.teardown(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
const admin = await adminAgent(app);
const alice = await consoleRep(app, 'alice');
const bob = await consoleRep(app, 'bob');
const cookieOf = (rep: typeof alice): string => `__Host-rd_console=${rep.agent.cookies.get('__Host-rd_console')}`;

const FULL = { screen: 'control', privacyScreen: false, specialActions: false, shell: false, fileTransfer: 'both', allowedPaths: [] as string[] };
async function grant(changes: Partial<typeof FULL>): Promise<void> {
  const r = await admin.put(`/api/admin/users/${alice.id}/permissions`, { ...FULL, ...changes });
  if (r.status !== 200) throw new Error(r.text);
}

const key = await alice.sessionKey();
const dl = await download(app, '/download/relaydesk-client.mjs', work);
const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Cora', '--keep'], { env: { HOME: home }, lifetimeMs: 240_000 });
t.teardown(() => client.kill());
client.exited.then((e) => {
  if (!stopping) t.comment(`client exited early (${e.code ?? e.signal}):\n${client.output()}`);
});
let stopping = false;
t.teardown(() => void (stopping = true));
const session = (await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Cora', 15_000)).session;
await alice.request({ t: 'accept', sessionId: session.id });

function channel(ticket: string, cookie: string): Promise<WebSocket> {
  const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${encodeURIComponent(ticket)}`, [], { ca: [app.caPem], headers: { cookie, origin: app.origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A browse channel with promise-per-request. */
async function fileView(): Promise<{ ws: WebSocket; req(msg: Record<string, unknown>): Promise<any> }> {
  const answer = await alice.request({ t: 'files_open', sessionId: session.id });
  if (answer.t !== 'channel_ticket') throw new Error(JSON.stringify(answer));
  const ws = await channel(answer.ticket, cookieOf(alice));
  let id = 1;
  const waiting = new Map<number, (m: any) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  return {
    ws,
    req(msg) {
      const n = id++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(msg)}`)), 10_000);
        waiting.set(n, (m) => (clearTimeout(timer), resolve(m)));
        ws.send(JSON.stringify({ ...msg, id: n }));
      });
    },
  };
}

/** Control frames of a transfer channel as a queue; binary frames go to `onBytes`. */
function controls(ws: WebSocket, onBytes: (b: Buffer) => void = () => undefined): { next(): Promise<any>; onAck?: (n: number) => void } {
  const queue: any[] = [];
  const waiters: Array<(m: any) => void> = [];
  const api: { next(): Promise<any>; onAck?: (n: number) => void } = {
    next: () =>
      new Promise((resolve, reject) => {
        if (queue.length) return resolve(queue.shift());
        const timer = setTimeout(() => reject(new Error('no control frame')), 60_000);
        waiters.push((m) => (clearTimeout(timer), resolve(m)));
      }),
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return onBytes(data as Buffer);
    const m = JSON.parse(String(data));
    if (m.t === 'ack') return api.onAck?.(m.bytes);
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  ws.on('close', (code) => {
    const w = waiters.shift();
    w?.({ t: 'closed', code });
  });
  return api;
}

async function transfer(msg: Record<string, unknown>): Promise<any> {
  return alice.request({ t: 'file_transfer', sessionId: session.id, ...msg });
}

/** Uploads `size` bytes from `chunks` with credit-based flow control; resolves with both checksums. */
async function upload(remote: string, size: number, chunks: () => Iterable<Buffer>): Promise<{ reply: any; sha256: string }> {
  const answer = await transfer({ direction: 'upload', path: remote, size });
  if (answer.t !== 'channel_ticket') return { reply: answer, sha256: '' };
  const ws = await channel(answer.ticket, cookieOf(alice));
  const ctl = controls(ws);
  const credit = new SendWindow();
  let wake: (() => void) | undefined;
  ctl.onAck = (n) => {
    credit.acked(n);
    wake?.();
  };
  let closedWith = '';
  ws.on('close', (code, reason) => (closedWith = `${code} ${reason}`));
  const ready = await ctl.next();
  if (ready.t !== 'ready') return { reply: ready, sha256: '' };
  const hash = createHash('sha256');
  for (const chunk of chunks()) {
    const deadline = Date.now() + 30_000;
    while (credit.available < chunk.length || ws.bufferedAmount > 4 * 1024 * 1024) {
      if (Date.now() > deadline) throw new Error(`${app.output().slice(-3000)}\n${client.output().slice(-2000)}\nupload stalled: ${credit.inFlight} in flight, socket closed ${closedWith}, buffered ${ws.bufferedAmount}`);
      await new Promise<void>((r) => ((wake = r), setTimeout(r, 20)));
    }
    hash.update(chunk);
    credit.sent(chunk.length);
    ws.send(chunk);
  }
  const sha256 = hash.digest('hex');
  ws.send(JSON.stringify({ t: 'end', sha256 }));
  const reply = await ctl.next();
  ws.close();
  return { reply, sha256 };
}

/** Downloads with credit; resolves with the meta, the end frame and our checksum and byte count. */
async function downloadRemote(remote: string): Promise<{ refused?: any; meta?: any; end?: any; sha256: string; bytes: number }> {
  const answer = await transfer({ direction: 'download', path: remote });
  if (answer.t !== 'channel_ticket') return { refused: answer, sha256: '', bytes: 0 };
  const ws = await channel(answer.ticket, cookieOf(alice));
  const hash = createHash('sha256');
  const counter = new ReceiveCounter();
  const ctl = controls(ws, (b) => {
    hash.update(b);
    const total = counter.consumed(b.length);
    if (total !== undefined) ws.send(JSON.stringify({ t: 'ack', bytes: total }));
  });
  ws.send(JSON.stringify({ t: 'ack', bytes: 0 }));
  const meta = await ctl.next();
  if (meta.t !== 'meta') return { refused: meta, sha256: '', bytes: 0 };
  const end = await ctl.next();
  ws.close();
  return { meta, end, sha256: hash.digest('hex'), bytes: counter.total };
}

function* randomChunks(total: number, chunk = 64 * 1024): Iterable<Buffer> {
  for (let sent = 0; sent < total; sent += chunk) yield randomBytes(Math.min(chunk, total - sent));
}

const snapshot = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();

t.test('browse: volumes, list, new folder, rename, delete, each in the event log', async (t) => {
  await grant({});
  const view = await fileView();
  const vols = await view.req({ t: 'volumes' });
  t.equal(vols.t, 'result');
  t.equal(vols.home, home);
  t.ok(vols.volumes.some((v: any) => v.path === home && v.kind === 'home'), 'the home folder is a volume');
  t.ok(vols.volumes.some((v: any) => v.path === '/'), 'the root file system is a volume');
  writeFileSync(path.join(allowed, 'a.txt'), 'hello');
  const list = await view.req({ t: 'list', path: allowed });
  t.same(list.entries.map((e: any) => [e.name, e.type]), [['escape', 'symlink'], ['a.txt', 'file']]);
  t.equal((await view.req({ t: 'mkdir', path: `${allowed}/made` })).t, 'result');
  t.ok(existsSync(`${allowed}/made`));
  t.equal((await view.req({ t: 'rename', from: `${allowed}/a.txt`, to: `${allowed}/made/b.txt` })).t, 'result');
  t.equal(readFileSync(`${allowed}/made/b.txt`, 'utf8'), 'hello');
  t.equal((await view.req({ t: 'delete', path: `${allowed}/made` })).t, 'result');
  t.notOk(existsSync(`${allowed}/made`));
  for (const kind of ['folder_created', 'file_renamed', 'file_deleted']) {
    const ev = await alice.socket.next((m) => m.t === 'event' && m.sessionId === session.id && m.event.kind === kind);
    t.equal(ev.event.actor, 'Alice', `${kind} is logged with who did it`);
  }
  const missing = await view.req({ t: 'delete', path: `${allowed}/made` });
  t.equal(missing.code, 'FILE_NOT_FOUND');
  view.ws.close();
});

t.test('refusals: non-member, no file transfer, upload-only, outside the allowed paths, bad paths', async (t) => {
  const before = snapshot(home);
  // Bob is no member of alice's session (he cannot even see it).
  for (const msg of [{ t: 'files_open', sessionId: session.id }, { t: 'file_transfer', sessionId: session.id, direction: 'download', path: `${outside}/secret.txt` }]) {
    const r = await bob.request(msg);
    t.ok(['SESSION_UNKNOWN', 'NOT_MEMBER'].includes(r.code), `bob: ${msg.t} refused (${r.code})`);
  }

  await grant({ fileTransfer: 'none' });
  t.equal((await alice.request({ t: 'files_open', sessionId: session.id })).code, 'PERMISSION_DENIED', 'none: no file view');
  t.equal((await transfer({ direction: 'upload', path: `${allowed}/x`, size: 1 })).code, 'PERMISSION_DENIED', 'none: no upload');
  t.equal((await transfer({ direction: 'download', path: `${outside}/secret.txt` })).code, 'PERMISSION_DENIED', 'none: no download');

  await grant({ fileTransfer: 'upload' });
  t.equal((await downloadRemote(`${outside}/secret.txt`)).refused?.code, 'PERMISSION_DENIED', 'upload-only: no download');
  t.equal((await downloadRemote(allowed)).refused?.code, 'PERMISSION_DENIED', 'upload-only: no folder download');
  const up = await upload(`${allowed}/up.txt`, 3, () => [Buffer.from('abc')]);
  t.equal(up.reply.t, 'done', 'upload-only: uploads work');
  rmSync(`${allowed}/up.txt`);

  await grant({ fileTransfer: 'both', allowedPaths: [allowed] });
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ direction: 'download', path: `${outside}/secret.txt` }, 'PATH_NOT_ALLOWED'],
    [{ direction: 'upload', path: `${outside}/new.txt`, size: 1 }, 'PATH_NOT_ALLOWED'],
    [{ direction: 'upload', path: `${allowed}/../outside/new.txt`, size: 1 }, 'PATH_TRAVERSAL'],
    [{ direction: 'download', path: 'home/outside/secret.txt' }, 'PATH_NOT_ABSOLUTE'],
    [{ direction: 'upload', path: `${allowed}/${'n'.repeat(300)}`, size: 1 }, 'PATH_BAD_NAME'],
    [{ direction: 'upload', path: `${allowed}/x\u0000y`, size: 1 }, 'BAD_FIELD'],
    [{ direction: 'upload', path: `${allowed}/nosize` }, 'BAD_FIELD'],
  ];
  for (const [msg, code] of cases) t.equal((await transfer(msg)).code, code, `${msg.direction} ${String(msg.path).slice(-30)}: ${code}`);

  const view = await fileView();
  const browse: Array<[Record<string, unknown>, string]> = [
    [{ t: 'list', path: outside }, 'PATH_NOT_ALLOWED'],
    [{ t: 'list', path: `${allowed}/../outside` }, 'PATH_TRAVERSAL'],
    [{ t: 'delete', path: `${outside}/secret.txt` }, 'PATH_NOT_ALLOWED'],
    [{ t: 'rename', from: `${allowed}/escape`, to: `${outside}/moved` }, 'PATH_NOT_ALLOWED'],
    [{ t: 'mkdir', path: `${allowed}/a\u0000b` }, 'PATH_NUL'],
    [{ t: 'mkdir', path: 'relative/dir' }, 'PATH_NOT_ABSOLUTE'],
    [{ t: 'mkdir', path: `${allowed}/${'d/'.repeat(2100)}x` }, 'PATH_TOO_LONG'],
    // Lexically inside, but the symlink leads out: the client, resolving it, refuses.
    [{ t: 'list', path: `${allowed}/escape` }, 'PATH_NOT_ALLOWED'],
    [{ t: 'delete', path: `${allowed}/escape/secret.txt` }, 'PATH_NOT_ALLOWED'],
    [{ t: 'mkdir', path: `${allowed}/escape/planted` }, 'PATH_NOT_ALLOWED'],
    [{ t: 'format', path: allowed }, 'WS_UNKNOWN_TYPE'],
  ];
  for (const [msg, code] of browse) {
    const r = await view.req(msg);
    t.equal(r.t, 'error');
    t.equal(r.code, code, `${msg.t} ${String(msg.path ?? msg.from).slice(-30)}: ${code}`);
  }
  t.equal((await downloadRemote(`${allowed}/escape/secret.txt`)).refused?.code, 'PATH_NOT_ALLOWED', 'a download through the symlink is refused by the client');
  t.equal((await view.req({ t: 'list', path: allowed })).t, 'result', 'inside works');

  // Narrowed while the view is open: the very next request is judged by the new grant.
  await grant({ fileTransfer: 'both', allowedPaths: [path.join(allowed, 'nothing-here')] });
  t.equal((await view.req({ t: 'list', path: allowed })).code, 'PATH_NOT_ALLOWED', 'a narrowed grant applies at once');
  const closed = new Promise<number>((resolve) => view.ws.once('close', (code) => resolve(code)));
  await grant({ fileTransfer: 'none' });
  t.equal(await closed, 4002, 'file transfer taken away closes the view at once');
  t.same(snapshot(home), before, 'nothing on disk changed');
  t.equal(readFileSync(`${outside}/secret.txt`, 'utf8'), 'secret');
});

t.test('a cancelled or mismatched upload leaves nothing behind', async (t) => {
  await grant({});
  const before = snapshot(allowed);
  const answer = await transfer({ direction: 'upload', path: `${allowed}/partial.bin`, size: 10_000_000 });
  const ws = await channel(answer.ticket, cookieOf(alice));
  const ctl = controls(ws);
  t.equal((await ctl.next()).t, 'ready');
  t.equal(readdirSync(allowed).filter((n) => n.endsWith('.part')).length, 1, 'a temporary file while it runs');
  ws.send(randomBytes(1_000_000));
  ws.close();
  for (let i = 0; i < 100 && snapshot(allowed).length !== before.length; i++) await new Promise((r) => setTimeout(r, 50));
  t.same(snapshot(allowed), before, 'the temporary file is gone, no file appeared');

  const bad = await upload(`${allowed}/bad.bin`, 5, () => [Buffer.from('12345')]);
  t.equal(bad.reply.t, 'done');
  const wrong = await transfer({ direction: 'upload', path: `${allowed}/wrong.bin`, size: 5 });
  const w = await channel(wrong.ticket, cookieOf(alice));
  const wc = controls(w);
  await wc.next();
  w.send(Buffer.from('12345'));
  w.send(JSON.stringify({ t: 'end', sha256: '0'.repeat(64) }));
  t.equal((await wc.next()).code, 'FILE_CHECKSUM');
  t.notOk(existsSync(`${allowed}/wrong.bin`));
  t.same(snapshot(allowed), [...before, 'bad.bin'].sort());
  rmSync(`${allowed}/bad.bin`);
});

t.test('taking file transfer away closes open views and transfers at once; a cut upload leaves nothing', async (t) => {
  await grant({});
  const before = snapshot(allowed);
  const view = await fileView();
  const answer = await transfer({ direction: 'upload', path: `${allowed}/cut.bin`, size: 10_000_000 });
  const ws = await channel(answer.ticket, cookieOf(alice));
  const ctl = controls(ws);
  t.equal((await ctl.next()).t, 'ready');
  ws.send(randomBytes(500_000));
  const viewClosed = new Promise<number>((resolve) => view.ws.once('close', (code) => resolve(code)));
  const uploadClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await grant({ fileTransfer: 'none' });
  t.equal(await uploadClosed, 4002, 'the upload is cut off');
  t.equal(await viewClosed, 4002, 'the file view is closed');
  for (let i = 0; i < 100 && snapshot(allowed).length !== before.length; i++) await new Promise((r) => setTimeout(r, 50));
  t.same(snapshot(allowed), before, 'no file and no temporary file remain');
  await grant({});
});

/** VmRSS of a process in bytes. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

t.test('200 MB up and down through the appliance: checksums agree, memory stays flat', async (t) => {
  await grant({});
  const SIZE = 200 * 1024 * 1024;
  const pids = { appliance: app.child.pid!, client: client.child.pid! };
  const base = { appliance: rss(pids.appliance), client: rss(pids.client) };
  const peak = { ...base };
  const sampler = setInterval(() => {
    peak.appliance = Math.max(peak.appliance, rss(pids.appliance));
    peak.client = Math.max(peak.client, rss(pids.client));
  }, 50);
  t.teardown(() => clearInterval(sampler));

  const up = await upload(`${allowed}/big.bin`, SIZE, () => randomChunks(SIZE));
  t.equal(up.reply.t, 'done', JSON.stringify(up.reply));
  t.equal(up.reply.size, SIZE);
  t.equal(up.reply.sha256, up.sha256, "the client's SHA-256 equals the sender's");
  const onDisk = createHash('sha256');
  for await (const c of createReadStream(`${allowed}/big.bin`)) onDisk.update(c as Buffer);
  t.equal(onDisk.digest('hex'), up.sha256, 'the file on disk has the same SHA-256');

  const down = await downloadRemote(`${allowed}/big.bin`);
  t.equal(down.meta.size, SIZE);
  t.equal(down.bytes, SIZE);
  t.equal(down.end.sha256, up.sha256, "the client's SHA-256 of what it sent");
  t.equal(down.sha256, up.sha256, 'what arrived has the same SHA-256');
  clearInterval(sampler);

  const growth = { appliance: peak.appliance - base.appliance, client: peak.client - base.client };
  t.comment(`RSS growth during 2 × 200 MB: appliance ${(growth.appliance / 2 ** 20).toFixed(1)} MB, client ${(growth.client / 2 ** 20).toFixed(1)} MB`);
  const BOUND = 150 * 1024 * 1024;
  t.ok(growth.appliance < BOUND, `appliance grew ${(growth.appliance / 2 ** 20).toFixed(1)} MB (< 150 MB for 200 MB files)`);
  t.ok(growth.client < BOUND, `client grew ${(growth.client / 2 ** 20).toFixed(1)} MB (< 150 MB for 200 MB files)`);
  const up2 = await alice.socket.next((m) => m.t === 'event' && m.event.kind === 'file_uploaded' && m.event.params.path === `${allowed}/big.bin`);
  t.equal(up2.event.params.size, String(SIZE));
  const down2 = await alice.socket.next((m) => m.t === 'event' && m.event.kind === 'file_downloaded');
  t.equal(down2.event.params.path, `${allowed}/big.bin`);
  rmSync(`${allowed}/big.bin`);
});

t.test('a folder downloads as a tar archive streamed on the fly', async (t) => {
  await grant({});
  mkdirSync(`${allowed}/pack/sub`, { recursive: true });
  writeFileSync(`${allowed}/pack/one.txt`, 'one');
  writeFileSync(`${allowed}/pack/sub/two.txt`, 'two');
  const r = await downloadRemote(`${allowed}/pack`);
  t.same(r.meta, { t: 'meta', name: 'pack.tar', size: null, archive: true });
  t.equal(r.end.sha256, r.sha256);
  t.ok(r.bytes >= 512 * 5 && r.bytes % 512 === 0, `a tar stream (${r.bytes} bytes, whole 512-byte blocks)`);
  rmSync(`${allowed}/pack`, { recursive: true });
});

t.test('the session report lists the files that moved', async (t) => {
  const r = await admin.get(`/api/reports/sessions/${session.id}`);
  t.equal(r.status, 200);
  const report = r.json().report;
  const files = report.attachments.filter((a: any) => a.kind === 'file').map((a: any) => a.title);
  t.ok(files.some((x: string) => x.startsWith(`${allowed}/big.bin uploaded by Alice (${200 * 1024 * 1024} bytes`)), 'the 200 MB upload');
  t.ok(files.some((x: string) => x.startsWith(`${allowed}/big.bin downloaded by Alice`)), 'the 200 MB download');
  t.ok(files.some((x: string) => x.startsWith(`${allowed}/pack downloaded by Alice`)), 'the folder archive');
  const kinds = report.events.map((e: any) => e.kind);
  for (const k of ['file_uploaded', 'file_downloaded', 'file_deleted', 'file_renamed', 'folder_created']) t.ok(kinds.includes(k), `the event log keeps ${k}`);
});
