/**
 * Special actions on this machine with real processes: a command that writes
 * a file, exit codes and signals, the 4 KiB output tail, the time limit
 * killing the whole process group, elevation failing clearly when sudo is
 * missing or refuses, and the runner asking first (a refusal runs nothing).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCommand, SpecialActionRunner } from './special-action.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-action-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('runs with /bin/sh -c and reports exit code and output', async (t) => {
  const file = path.join(dir, 'out.txt');
  const r = await runCommand(`printf 'hello %s' "$((6*7))" > '${file}'; echo done; echo oops >&2; exit 3`, false);
  t.equal(r.outcome, 'done');
  t.equal(r.exitCode, 3);
  t.equal(readFileSync(file, 'utf8'), 'hello 42');
  t.match(r.output, /done\n/);
  t.match(r.output, /oops/);
  const killed = await runCommand('kill -TERM $$', false);
  t.equal(killed.exitCode, 128 + os.constants.signals.SIGTERM, 'a signal is 128 + its number');
});

t.test('keeps only the last 4 KiB of output, never a broken character, no NUL', async (t) => {
  const r = await runCommand(`i=0; while [ $i -lt 3000 ]; do printf 'ä%04d\\n' $i; i=$((i+1)); done; printf 'a\\0b END'`, false);
  t.equal(r.outcome, 'done');
  t.ok(Buffer.byteLength(r.output) <= 4096, `${Buffer.byteLength(r.output)} bytes`);
  t.ok(Buffer.byteLength(r.output) > 4000);
  t.match(r.output, /2999\nab END$/);
  t.notMatch(r.output, /^\uFFFD/);
  t.notOk(r.output.includes('\u0000'));
});

t.test('the time limit kills the command and what it started', async (t) => {
  const pidFile = path.join(dir, 'pid');
  const r = await runCommand(`sleep 30 >/dev/null 2>&1 & echo $! > '${pidFile}'; wait`, false, { timeoutMs: 300 });
  t.equal(r.outcome, 'timeout');
  t.equal(r.exitCode, -1);
  t.match(r.output, /stopped after/);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  // Dead means gone, or a zombie nobody reaped (containers whose init does not reap).
  const running = (): boolean => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  let alive = running();
  for (let i = 0; i < 50 && alive; i++) {
    await new Promise((res) => setTimeout(res, 20));
    alive = running();
  }
  t.notOk(alive, 'the background sleep is gone too');
});

t.test('elevated: a clear failure when sudo is missing or wants a password', async (t) => {
  const marker = path.join(dir, 'elevated-ran');
  const missing = await runCommand(`touch '${marker}'`, true, { isRoot: false, sudo: path.join(dir, 'no-such-sudo') });
  t.equal(missing.outcome, 'failed');
  t.match(missing.output, /sudo is not available/);
  const fakeSudo = path.join(dir, 'sudo-wants-password');
  writeFileSync(fakeSudo, '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n');
  chmodSync(fakeSudo, 0o755);
  const refused = await runCommand(`touch '${marker}'`, true, { isRoot: false, sudo: fakeSudo });
  t.equal(refused.outcome, 'failed');
  t.match(refused.output, /sudo -n refused.*a password is required/s);
  t.notOk(existsSync(marker), 'nothing ran');
  // A sudo that allows (stands in for sudo -n): the command runs through it.
  const okSudo = path.join(dir, 'sudo-ok');
  writeFileSync(okSudo, '#!/bin/sh\nshift\nexec "$@"\n');
  chmodSync(okSudo, 0o755);
  const ran = await runCommand(`touch '${marker}'`, true, { isRoot: false, sudo: okSudo });
  t.equal(ran.outcome, 'done');
  t.ok(existsSync(marker));
});

t.test('the runner asks first; a refusal runs nothing', async (t) => {
  const file = path.join(dir, 'runner.txt');
  const replies: any[] = [];
  const said: string[] = [];
  const asked: string[] = [];
  let answer = false;
  const runner = new SpecialActionRunner({ decide: async (req) => (asked.push(`${req.rep}: ${req.action}`), answer) }, (m) => replies.push(m), (s) => said.push(s));
  await runner.handle({ runId: 'r1', name: 'Write', command: `echo x > '${file}'`, elevated: false, rep: 'Alice' });
  t.same(replies[0], { t: 'special_action_result', runId: 'r1', outcome: 'refused', exitCode: -1, output: '' });
  t.notOk(existsSync(file));
  t.match(asked[0], /Alice: run "Write": echo x/);
  answer = true;
  await runner.handle({ runId: 'r2', name: 'Write', command: `echo x > '${file}'`, elevated: true, rep: 'Alice' });
  t.equal(replies[1].outcome, process.getuid?.() === 0 ? 'done' : replies[1].outcome);
  t.match(asked[1], /as administrator/);
  t.match(said.join('\n'), /Running "Write"/);
  await runner.handle({ runId: 'r3', name: 'Evil\u001b[2J\u0007name', command: 'true', elevated: false, rep: 'Alice' });
  t.notMatch(said.join('\n'), /[\u001b\u0007]/, 'no control characters from the appliance reach the terminal');
  t.match(said.join('\n'), /Running "Evil\[2Jname"/);
});
