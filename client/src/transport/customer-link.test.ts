/**
 * The link's state machine against a scripted fake socket: the first hello
 * carries the key and system information, later ones only the resume
 * secret; a resume shows no chat twice; refusals are final with exit 2; a
 * certificate failure before joining is final with exit 3; ignored input is
 * logged; lines typed while cut off are sent after the resume.
 */
import { EventEmitter } from 'node:events';
import t from 'tap';
import type WebSocket from 'ws';
import { EXIT } from '../cli/exit-codes.ts';
import { Backoff } from './backoff.ts';
import { CustomerLink, type LinkListener } from './customer-link.ts';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 0;
  readonly sent: any[] = [];
  open(): void {
    this.readyState = 1;
    this.emit('open');
  }
  receive(msg: unknown): void {
    this.emit('message', Buffer.from(typeof msg === 'string' ? msg : JSON.stringify(msg)), false);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = ''): void {
    this.cut(code, reason);
  }
  terminate(): void {
    this.cut(1006, '');
  }
  cut(code: number, reason = '', err?: Error): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    if (err) this.emit('error', err);
    this.emit('close', code, Buffer.from(reason));
  }
}

/** Retries at once, so the test does not wait out real backoff. */
class NoWait extends Backoff {
  override next(): number {
    return 1;
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const events: string[] = [];
  const listener: LinkListener = {
    connecting: (n) => events.push(`connecting ${n}`),
    joined: (i) => events.push(`joined ${i.state} ${i.resumed ? 'resumed' : 'new'}`),
    state: (s, reps) => events.push(`state ${s} ${reps.join(',')}`),
    chat: (m) => events.push(`chat ${m.seq} ${m.body}`),
    retrying: (_ms, why) => events.push(`retrying ${why}`),
    notice: (text) => events.push(`notice ${text}`),
    ended: (r) => events.push(`ended ${r}`),
    refused: (text, code) => events.push(`refused ${code} ${text}`),
    debug: (text) => events.push(`debug ${text}`),
  };
  const link = new CustomerLink({
    credential: { key: '1234567' },
    name: 'Cora',
    system: { hostname: 'pc1', os: 'Linux 6', user: 'cora', privateIps: ['10.0.0.5'] },
    open: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s as unknown as WebSocket;
    },
    listener,
    backoff: new NoWait(),
  });
  const last = (): FakeSocket => sockets[sockets.length - 1]!;
  const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
  return { link, sockets, events, last, tick };
}

const chat = (seq: number, body: string) => ({ seq, at: 0, from: { kind: 'rep', id: 'r', name: 'Alice' }, body });
const joined = (resume: string, chat: unknown[] = []) => ({ t: 'joined', v: 1, sessionId: 's1', resume, state: 'waiting', reps: [], chat });
const SECRET = 'r'.repeat(32);

t.test('hello with key and system info, then resume with the secret only; no chat shown twice', async (t) => {
  const h = harness();
  h.link.start();
  h.last().open();
  t.same(h.last().sent[0], { t: 'hello', v: 1, key: '1234567', name: 'Cora', hostname: 'pc1', os: 'Linux 6', user: 'cora', privateIps: ['10.0.0.5'] });
  h.last().receive(joined(SECRET, [chat(1, 'one')]));
  h.last().receive({ t: 'chat', msg: chat(2, 'two') });
  t.equal(h.link.state, 'joined');
  h.last().cut(1006);
  t.equal(h.link.state, 'retrying');
  t.ok(h.link.say('typed while away'), 'a line typed while cut off is kept');
  await h.tick();
  t.equal(h.sockets.length, 2, 'reconnected by itself');
  h.last().open();
  t.same(h.last().sent[0], { t: 'hello', v: 1, resume: SECRET });
  h.last().receive(joined(SECRET, [chat(1, 'one'), chat(2, 'two'), chat(3, 'three')]));
  t.same(h.last().sent[1], { t: 'chat', body: 'typed while away' }, 'and sent after the resume');
  t.same(h.events.filter((e) => e.startsWith('chat')), ['chat 1 one', 'chat 2 two', 'chat 3 three']);
  t.ok(h.events.includes('joined waiting resumed'));
  h.last().receive({ t: 'end', reason: 'ended' });
  t.equal(h.link.state, 'ended');
  t.equal(h.events.at(-1), 'ended ended');
});

for (const code of ['KEY_UNKNOWN', 'KEY_EXPIRED', 'KEY_USED', 'RESUME_UNKNOWN'] as const) {
  t.test(`${code} on hello is final: exit 2 with the catalogue text`, async (t) => {
    const h = harness();
    h.link.start();
    h.last().open();
    h.last().receive({ t: 'error', code, message: 'server wording' });
    h.last().cut(4002, code);
    await h.tick();
    t.equal(h.link.state, 'refused');
    t.equal(h.sockets.length, 1, 'no retry');
    t.match(h.events.at(-1), new RegExp(`^refused ${EXIT.refused} `));
    t.notMatch(h.events.at(-1), /server wording/, 'the text comes from the catalogue');
  });
}

t.test('a certificate failure before joining is final (exit 3); a cut after joining is retried', async (t) => {
  const h = harness();
  h.link.start();
  h.last().cut(1006, '', Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
  t.equal(h.link.state, 'refused');
  t.match(h.events.at(-1), new RegExp(`^refused ${EXIT.certificate} .*certificate`));

  const g = harness();
  g.link.start();
  g.last().cut(1006, '', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  t.equal(g.link.state, 'retrying', 'an appliance not yet up is retried');
  t.match(g.events.at(-1), /retrying the appliance is not answering/);
});

t.test('bad input is ignored with a log line; the end close code ends without an end message', async (t) => {
  const h = harness();
  h.link.start();
  h.last().open();
  h.last().receive(joined(SECRET));
  for (const junk of ['{', '{"t":"screen"}', '{"t":"chat","msg":5}', '[1]']) h.last().receive(junk);
  h.last().emit('message', Buffer.from([0, 1]), true);
  t.equal(h.events.filter((e) => e.startsWith('debug ignored')).length, 5);
  t.equal(h.link.state, 'joined', 'still joined');
  h.last().cut(4004, 'session ended');
  t.equal(h.link.state, 'ended');
});

t.test('leaving closes normally and stops retrying', async (t) => {
  const h = harness();
  h.link.start();
  h.last().cut(1006);
  h.link.leave();
  await h.tick();
  t.equal(h.link.state, 'left');
  t.equal(h.sockets.length, 1);
  t.notOk(h.link.say('late'), 'nothing is queued after leaving');
});
