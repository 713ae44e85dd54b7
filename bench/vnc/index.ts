/**
 * bench/vnc: a Remote VNC jump through the real appliance to a real x11vnc
 * on a real Xvfb (127.0.0.1), while an xterm on that display scrolls text
 * for SECONDS (5) s. In the same run and over the same change, a direct RFB
 * client in this process (appliance/src/relay/rfb-client.ts, Raw + CopyRect,
 * asking for the next update as soon as one arrives: what a plain VNC
 * viewer gets) counts the bytes the VNC server sent. Printed:
 *
 * - through the appliance: frames/s reaching the viewer (a raw channel
 *   WebSocket that decodes each frame with the media core and acknowledges
 *   it, as the console does), wire bytes a frame and in all;
 * - direct RFB: updates/s, bytes an update and in all;
 * - the ratio of bytes on the console's wire to RFB bytes for the change.
 *
 * Bounded: the scroll runs SECONDS, every wait is at most 20 s. Needs Xvfb,
 * x11vnc, xterm and `node scripts/build.mjs`. Run: `npm run bench -- vnc`.
 */
import { startAppliance } from '../../test/helpers/appliance.ts';
import { consoleRep } from '../../test/helpers/customer.ts';
import { adminAgent } from '../../test/helpers/rep.ts';
import { ScreenViewer } from '../../test/helpers/screen-viewer.ts';
import { startX11vnc, vncUnavailable } from '../../test/helpers/vnc.ts';
import { startXvfb, until } from '../../test/helpers/xvfb.ts';
import { DEFAULT_USER_PERMISSIONS } from '../../common/permissions.ts';
import { RfbClient } from '../../appliance/src/relay/rfb-client.ts';

const SECONDS = Number(process.env.BENCH_VNC_SECONDS ?? 5);
const W = 1280;
const H = 800;

const why = vncUnavailable();
if (why) {
  console.log(`bench/vnc skipped: ${why}`);
  process.exit(0);
}

const xs = await startXvfb(W, H);
const vnc = await startX11vnc(xs.display);
const app = await startAppliance();
try {
  xs.run('xsetroot', ['-solid', '#3366aa']);
  const admin = await adminAgent(app);
  const alice = await consoleRep(app, 'alice');
  const r = await admin.put(`/api/admin/users/${alice.id}/permissions`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [], shellJump: true, screen: 'control' });
  if (r.status !== 200) throw new Error(r.text);
  const item = (await alice.request({ t: 'vnc_jump_save', name: 'Bench', host: '127.0.0.1', port: vnc.port, group: 'personal', policyId: '' })).item;
  const started = await alice.request({ t: 'vnc_jump_start', itemId: item.id });
  if (started.t !== 'vnc_jump_started') throw new Error(JSON.stringify(started));
  const ticket = await alice.request({ t: 'screen_open', sessionId: started.sessionId });
  const viewer = await ScreenViewer.open(app, ticket.ticket, `__Host-rd_console=${alice.agent.cookies.get('__Host-rd_console')}`);
  await viewer.until(() => viewer.frames.length > 0, 'the first frame', 20_000);

  // The direct viewer: next request as soon as an update is applied.
  const direct = await RfbClient.connect({ host: '127.0.0.1', port: vnc.port });
  direct.onUpdate = () => direct.requestUpdate(true);
  direct.requestUpdate(false);
  await until(() => direct.updates > 0, 'the direct client\'s first update', 20_000);
  // Settle: both sides idle before the change.
  await new Promise((res) => setTimeout(res, 1000));

  const script = `i=0; end=$(( $(date +%s) + ${SECONDS} )); while [ $(date +%s) -lt $end ]; do i=$((i+1)); echo "line $i: the quick brown fox jumps over the lazy dog $RANDOM $RANDOM"; sleep 0.01; done`;
  const frames0 = viewer.frames.length;
  const wire0 = viewer.frames.reduce((s, f) => s + f.bytes, 0);
  const rfb0 = direct.bytesReceived;
  const upd0 = direct.updates;
  const t0 = Date.now();
  const term = xs.spawnOn('xterm', ['-geometry', '100x40+0+0', '-e', 'bash', '-c', script]);
  await new Promise<void>((res) => term.once('exit', () => res()));
  // What the change left still arriving: half a second more on both sides.
  await new Promise((res) => setTimeout(res, 500));
  const secs = (Date.now() - t0) / 1000;
  const frames = viewer.frames.length - frames0;
  // Codec bytes plus the 6-byte UPDATE header of each chunk (one chunk a frame here).
  const wire = viewer.frames.reduce((s, f) => s + f.bytes, 0) - wire0 + frames * 6;
  const rfb = direct.bytesReceived - rfb0;
  const updates = direct.updates - upd0;
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`xterm scrolling for ${SECONDS} s on ${W}x${H} (measured over ${secs.toFixed(1)} s)`);
  console.log(`through the appliance: ${(frames / secs).toFixed(1)} frames/s, ${kb(wire / Math.max(1, frames))} a frame, ${kb(wire)} in all`);
  console.log(`direct RFB (Raw/CopyRect): ${(updates / secs).toFixed(1)} updates/s, ${kb(rfb / Math.max(1, updates))} an update, ${kb(rfb)} in all`);
  console.log(`console wire bytes / RFB bytes for the same change: ${(wire / Math.max(1, rfb)).toFixed(3)}`);
  direct.close();
  viewer.close();
} finally {
  await app.stop();
  await vnc.stop();
  await xs.stop();
}
