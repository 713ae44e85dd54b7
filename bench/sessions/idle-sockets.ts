/**
 * Idle customer connections: creates session keys through the console API
 * (one LMDB write each), then opens customer sockets that each say hello
 * with their own key and stay joined, in steps (1,000, then 5,000), and
 * samples the appliance's RSS before and after each step. Bounded in count
 * (the last step) and in time (`capMs` for the keys, `capMs` for the
 * sockets); errors such as EMFILE end the run and are reported.
 */
import type { RunningAppliance } from '../../test/helpers/appliance.ts';
import type { Agent } from '../../test/helpers/http.ts';
import { sessionKey } from './appliance-chat.ts';
import { openJsonSocket, type JsonSocket } from './sockets.ts';
import { pool, rssBytes, sleep } from './stats.ts';

/** Keys are created 8 at a time: enough to keep the appliance busy on 2 cores without queueing up. */
const KEYGEN_PARALLEL = 8;
/** Sockets are opened 50 at a time (TLS handshakes in flight). */
const OPEN_PARALLEL = 50;
/** Time for the appliance to settle (GC, buffers) before an RSS sample: 1 s. */
const SETTLE_MS = 1000;

export interface IdleStep {
  readonly target: number;
  readonly open: number;
  readonly rss: number;
  readonly openMs: number;
}

export interface IdleFigures {
  readonly keys: number;
  readonly keygenMs: number;
  readonly rssBefore: number;
  readonly steps: IdleStep[];
  readonly errors: Map<string, number>;
}

export async function runIdleSockets(app: RunningAppliance, rep: Agent, steps: readonly number[], capMs: number): Promise<IdleFigures> {
  const total = Math.max(...steps);
  const keys: string[] = [];
  const keygenStart = performance.now();
  await pool(total, KEYGEN_PARALLEL, Date.now() + capMs, async () => {
    keys.push(await sessionKey(rep));
  });
  const keygenMs = performance.now() - keygenStart;

  await sleep(SETTLE_MS);
  const rssBefore = rssBytes(app.child.pid!);
  const sockets: JsonSocket[] = [];
  const errors = new Map<string, number>();
  const wss = app.origin.replace(/^https/, 'wss');
  const results: IdleStep[] = [];
  const deadline = Date.now() + capMs;
  let next = 0;
  try {
    for (const target of steps) {
      const stepStart = performance.now();
      const want = Math.min(target, keys.length) - next;
      if (want > 0 && errors.size === 0) {
        await pool(want, OPEN_PARALLEL, deadline, async () => {
          if (errors.size > 0) return;
          const key = keys[next++]!;
          try {
            const s = await openJsonSocket(`${wss}/ws/customer`, app.caPem);
            sockets.push(s);
            const joined = s.next((m) => m.t === 'joined' || m.t === 'error', 15_000);
            s.send({ t: 'hello', v: 1, key, name: 'idle' });
            const m = await joined;
            if (m.t !== 'joined') throw Object.assign(new Error(m.code), { code: m.code });
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
            errors.set(code, (errors.get(code) ?? 0) + 1);
          }
        });
      }
      const openMs = performance.now() - stepStart;
      await sleep(SETTLE_MS);
      results.push({ target, open: sockets.filter((s) => s.ws.readyState === s.ws.OPEN).length, rss: rssBytes(app.child.pid!), openMs });
      if (errors.size > 0 || Date.now() > deadline) break;
    }
  } finally {
    for (const s of sockets) s.ws.terminate();
  }
  return { keys: keys.length, keygenMs, rssBefore, steps: results, errors };
}
