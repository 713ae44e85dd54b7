/**
 * bench/sessions: support-session traffic through the appliance on loopback.
 *   (a) chat: N customers and N reps in N accepted sessions, each side
 *       sending M messages (at most W in flight): messages/s and p50/p99
 *       end-to-end latency, next to the same load on a bare `ws` relay
 *       (relay-ws.ts) measured in the same run, printed as ratios;
 *   (b) idle customers: 1,000 then 5,000 joined customer sockets, and the
 *       appliance's RSS before, after and per connection.
 * Bounded: every load stops at its count or its time cap; 127.0.0.1 only.
 * Run: `node --import tsx bench/sessions/index.ts` (needs `node scripts/build.mjs`).
 * Knobs: BENCH_PAIRS (20), BENCH_MESSAGES per side (100), BENCH_IDLE steps ("1000,5000").
 */
import { startAppliance } from '../../test/helpers/appliance.ts';
import { adminAgent, consoleAgent, setUpApplianceChat } from './appliance-chat.ts';
import { setUpBaselineChat } from './baseline-chat.ts';
import { runChatLoad, type ChatFigures } from './chat-load.ts';
import { runIdleSockets } from './idle-sockets.ts';
import { cpuMs, MiB, quantile, rssBytes } from './stats.ts';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 20);
const MESSAGES_PER_SIDE = Number(process.env.BENCH_MESSAGES ?? 100);
/** Each sender keeps 8 messages in flight: a busy chat, not an unbounded flood. */
const WINDOW = 8;
/** The latency run: one message in flight per sender, 20 per side, so queueing does not hide the path's own cost. */
const LATENCY_WINDOW = 1;
const LATENCY_MESSAGES = 20;
/** A chat run that takes longer than 30 s is cut and reported with what arrived. */
const CHAT_CAP_MS = 30_000;
const IDLE_STEPS = (process.env.BENCH_IDLE ?? '1000,5000').split(',').map(Number);
/** Key creation and socket opening get 60 s each. */
const IDLE_CAP_MS = 60_000;

function chatRow(name: string, f: ChatFigures, base?: ChatFigures): string {
  const rate = (f.delivered / f.elapsedMs) * 1000;
  const ratio = base ? `${(rate / ((base.delivered / base.elapsedMs) * 1000)).toFixed(2)}x` : '1.00x';
  const cols = [name.padEnd(26), `${f.delivered}/${f.expected}`.padStart(11), rate.toFixed(0).padStart(9), quantile(f.latencies, 0.5).toFixed(2).padStart(8), quantile(f.latencies, 0.99).toFixed(2).padStart(8), ratio.padStart(9)];
  return cols.join(' ');
}

async function main(): Promise<void> {
  const app = await startAppliance({ env: { RELAYDESK_LOG_LEVEL: 'warn' } });
  try {
    const admin = await adminAgent(app);
    console.log(`(a) chat: ${PAIRS} sessions, ${MESSAGES_PER_SIDE} messages per side, window ${WINDOW}`);
    const baseline = await setUpBaselineChat(app.dataDir, app.caPem, PAIRS);
    const baseLatency = await runChatLoad(baseline.pairs, LATENCY_MESSAGES, LATENCY_WINDOW, CHAT_CAP_MS);
    const base = await runChatLoad(baseline.pairs, MESSAGES_PER_SIDE, WINDOW, CHAT_CAP_MS);
    baseline.close();
    const chat = await setUpApplianceChat(app, admin, PAIRS);
    const realLatency = await runChatLoad(chat.pairs, LATENCY_MESSAGES, LATENCY_WINDOW, CHAT_CAP_MS);
    const rssBeforeChat = rssBytes(app.child.pid!);
    const cpuBefore = cpuMs(app.child.pid!);
    const ownBefore = process.cpuUsage();
    const real = await runChatLoad(chat.pairs, MESSAGES_PER_SIDE, WINDOW, CHAT_CAP_MS);
    const cpuUsed = cpuMs(app.child.pid!) - cpuBefore;
    const own = process.cpuUsage(ownBefore);
    const ownMs = (own.user + own.system) / 1000;
    chat.close();
    console.log(['run'.padEnd(26), 'delivered'.padStart(11), 'msg/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'vs bare'.padStart(9)].join(' '));
    console.log(`window ${LATENCY_WINDOW}, ${LATENCY_MESSAGES} per side:`);
    console.log(chatRow('bare ws relay (baseline)', baseLatency));
    console.log(chatRow('appliance chat', realLatency, baseLatency));
    console.log(`window ${WINDOW}, ${MESSAGES_PER_SIDE} per side:`);
    console.log(chatRow('bare ws relay (baseline)', base));
    console.log(chatRow('appliance chat', real, base));
    console.log(`appliance during the window-${WINDOW} run: CPU ${(cpuUsed / real.elapsedMs * 100).toFixed(0)} % of one core, ${(cpuUsed / real.delivered * 1000).toFixed(0)} µs CPU per delivered message; RSS ${(rssBeforeChat / MiB).toFixed(1)} → ${(rssBytes(app.child.pid!) / MiB).toFixed(1)} MiB`);
    console.log(`load generator (this process) meanwhile: CPU ${((ownMs / real.elapsedMs) * 100).toFixed(0)} % of one core`);

    console.log(`\n(b) idle customer sockets: steps ${IDLE_STEPS.join(', ')}`);
    const rep = await consoleAgent(app, admin, 'idlerep');
    const idle = await runIdleSockets(app, rep, IDLE_STEPS, IDLE_CAP_MS);
    console.log(`session keys: ${idle.keys} in ${(idle.keygenMs / 1000).toFixed(1)} s (${((idle.keys / idle.keygenMs) * 1000).toFixed(0)} keys/s)`);
    console.log(`appliance RSS before: ${(idle.rssBefore / MiB).toFixed(1)} MiB`);
    for (const s of idle.steps) {
      const per = (s.rss - idle.rssBefore) / Math.max(1, s.open);
      console.log(`  ${String(s.open).padStart(5)} open (target ${s.target}): RSS ${(s.rss / MiB).toFixed(1)} MiB, +${((s.rss - idle.rssBefore) / MiB).toFixed(1)} MiB, ${(per / 1024).toFixed(1)} KiB per connection; step took ${(s.openMs / 1000).toFixed(1)} s`);
    }
    if (idle.errors.size) console.log(`errors: ${[...idle.errors].map(([k, v]) => `${k}×${v}`).join(', ')}`);
    const last = idle.steps.at(-1);
    if (!last || last.open < Math.max(...IDLE_STEPS)) console.log(`note: stopped at ${last?.open ?? 0} sockets (cap ${IDLE_CAP_MS / 1000} s or errors above)`);
  } finally {
    await app.stop();
  }
}

await main();
