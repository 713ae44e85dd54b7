/**
 * Click-to-pixel latency on loopback: a real Xvfb (1920x1080) with an xterm,
 * the real appliance and customer client (built, downloaded, --allow-all),
 * and a viewer that decodes with the media core. Each sample sends one key
 * (alternately "x" and BackSpace) as the rep holding control and waits until
 * a decoded frame shows the xterm's pixels changed: rep input → XTEST →
 * capture → encode → relay → decode. The baseline in the same run is the
 * round trip of a probe channel (console → appliance → client → back), the
 * floor of any input-to-screen path. Bounded: SAMPLES samples, each waiting
 * at most 5 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startAppliance } from '../../test/helpers/appliance.ts';
import { consoleRep, download, runClient } from '../../test/helpers/customer.ts';
import { ScreenViewer } from '../../test/helpers/screen-viewer.ts';
import { startXvfb, until } from '../../test/helpers/xvfb.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const W = 1920;
const H = 1080;
/** The xterm's text area, where typed characters appear. */
const REGION = { x: 100, y: 100, w: 500, h: 150 };

function region(px: Uint8ClampedArray): Buffer {
  const out = Buffer.alloc(REGION.w * REGION.h * 4);
  for (let y = 0; y < REGION.h; y++) out.set(px.subarray(((REGION.y + y) * W + REGION.x) * 4, ((REGION.y + y) * W + REGION.x + REGION.w) * 4), y * REGION.w * 4);
  return out;
}

export async function runLatency(): Promise<{ input: number[]; probe: number[] }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-bench-screen-'));
  const xs = await startXvfb(W, H);
  const app = await startAppliance();
  try {
    xs.run('xsetroot', ['-solid', '#3366aa']);
    xs.spawnOn('xterm', ['-geometry', '80x10+100+100', '-e', 'bash --norc --noprofile -i'], { env: { PS1: '$ ' } });
    const alice = await consoleRep(app, 'alice');
    const key = await alice.sessionKey();
    const dl = await download(app, '/download/relaydesk-client.mjs', work);
    const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Bench', '--keep', '--allow-all'], { env: { DISPLAY: xs.display } });
    try {
      const session = (await alice.socket.next((m) => m.t === 'session' && m.entered, 15_000)).session;
      await alice.request({ t: 'accept', sessionId: session.id });
      const cookie = `__Host-rd_console=${alice.agent.cookies.get('__Host-rd_console')}`;

      // Baseline: probe channel round trips.
      const probeTicket = await alice.request({ t: 'probe_open', sessionId: session.id });
      const probe = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${encodeURIComponent(probeTicket.ticket)}`, [], { ca: [app.caPem], headers: { cookie, origin: app.origin } });
      await new Promise((r, j) => (probe.once('open', r), probe.once('error', j)));
      const probeMs: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('probe timeout')), 5000);
          probe.once('message', () => (clearTimeout(timer), resolve()));
          probe.send('ping');
        });
        probeMs.push(performance.now() - t0);
      }
      probe.close();

      const answer = await alice.request({ t: 'screen_open', sessionId: session.id });
      const viewer = await ScreenViewer.open(app, answer.ticket, cookie);
      await viewer.until(() => viewer.frames.length > 0, 'first frame', 20_000);
      viewer.send({ t: 'control', on: true });
      await viewer.until(() => viewer.lastText('control')?.state === 'granted', 'control', 10_000);
      viewer.send({ t: 'pointer', x: 300, y: 150, buttons: 0 });
      await new Promise((r) => setTimeout(r, 500));
      const input: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const before = region(viewer.pixels());
        const keysym = i % 2 === 0 ? 0x78 : 0xff08;
        const t0 = performance.now();
        viewer.send({ t: 'key', keysym, down: true });
        viewer.send({ t: 'key', keysym, down: false });
        await viewer.until(() => !region(viewer.pixels()).equals(before), 'the typed change', 5000);
        input.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
      viewer.close();
      await until(() => true, 'noop');
      return { input, probe: probeMs };
    } finally {
      await client.kill();
    }
  } finally {
    await app.stop();
    await xs.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
