/**
 * Recording and transcript of a shell, against a real LMDB store: output
 * with colours, carriage-return redraws, a UTF-8 character split across
 * reads, a resize and a full-screen program; then the size limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openStoreSync } from '../store/db.ts';
import { ShellRecordingStore } from '../store/shell-recordings.ts';
import { parseAsciicast } from './asciicast.ts';
import { ShellRecorder } from './shell-recorder.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-rec-'));
const store = openStoreSync(dir);
const recordings = new ShellRecordingStore(store);
t.teardown(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const SESSION = 'S'.repeat(22);

t.test('asciicast events and the transcript of a short shell', async (t) => {
  let clock = 1_700_000_000_000;
  const rec = new ShellRecorder(recordings, { sessionId: SESSION, shellId: 'A'.repeat(22), title: 'Shell 1', openedBy: 'Alice', members: ['U'.repeat(22)], cols: 40, rows: 10, startedAt: clock }, () => clock);
  clock += 250;
  rec.output(Buffer.from('$ echo hello-$((6*7))\r\n\x1b[32mhello-42\x1b[0m\r\n'));
  const euro = Buffer.from('price 5€\r\n');
  clock += 250;
  rec.output(euro.subarray(0, 8)); // ends inside the 3-byte "€"
  rec.output(euro.subarray(8));
  clock += 500;
  rec.resize(100, 30);
  rec.output(Buffer.from('$ vi\r\n\x1b[?1049h\x1b[H~\r\n~\r\n~ VISUAL\x1b[?1049l$ done\r\n$ '));
  await rec.stop();

  const meta = recordings.meta(SESSION, 'A'.repeat(22))!;
  t.equal(meta.title, 'Shell 1');
  t.equal(meta.endedAt, clock);
  t.equal(meta.truncated, false);
  const cast = [...recordings.chunks('c', SESSION, 'A'.repeat(22))].join('');
  t.equal(Buffer.byteLength(cast), meta.castBytes);
  const { header, events } = parseAsciicast(cast);
  t.match(header, { version: 2, width: 40, height: 10, timestamp: 1_700_000_000, title: 'Shell 1' });
  t.same(events[0], [0.25, 'o', '$ echo hello-$((6*7))\r\n\x1b[32mhello-42\x1b[0m\r\n']);
  const output = events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
  t.ok(output.includes('price 5€'), 'the split character is whole');
  t.notOk(output.includes('\ufffd'), 'and never a replacement character');
  t.same(events.find((e) => e[1] === 'r'), [1, 'r', '100x30']);

  const text = [...recordings.chunks('t', SESSION, 'A'.repeat(22))].join('');
  t.equal(text, '$ echo hello-$((6*7))\nhello-42\nprice 5€\n$ vi\n$ done\n$\n', 'plain text: no escapes, no full-screen drawing');
  t.same(recordings.list(SESSION).map((m) => m.shellId), ['A'.repeat(22)]);
});

t.test('a recording stops at its size limit and says so', async (t) => {
  const rec = new ShellRecorder(recordings, { sessionId: SESSION, shellId: 'B'.repeat(22), title: 'Shell 2', openedBy: 'Alice', members: ['U'.repeat(22)], cols: 80, rows: 24, startedAt: Date.now() }, Date.now, 4096);
  for (let i = 0; i < 100; i++) rec.output(Buffer.from(`${'y'.repeat(100)}\r\n`));
  await rec.stop();
  const meta = recordings.meta(SESSION, 'B'.repeat(22))!;
  t.equal(meta.truncated, true);
  t.ok(meta.castBytes <= 4096, `cast bytes ${meta.castBytes} within the limit`);
  t.ok(recordings.list(SESSION).length === 2);
});
