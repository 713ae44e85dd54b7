/**
 * The customer's monitors, from RandR 1.5 `GetMonitors` (which includes
 * monitors set with `xrandr --setmonitor`), else RandR CRTCs, else the whole
 * root window. Ids are stable for the life of the X configuration (the
 * monitor's name atom, or the CRTC id, or 0 for the root); the primary is
 * marked so the console can show "P".
 */
import type { MonitorInfo } from '../../../common/screen-protocol.ts';
import type { XConnection } from './x-display.ts';

/** RandR minor opcode of GetMonitors (randrproto 1.5). */
const RR_GET_MONITORS = 42;

interface RawMonitor {
  name: number;
  primary: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

function getMonitorsRaw(conn: XConnection, randr: { majorOpcode: number }): Promise<RawMonitor[]> {
  const X = conn.X;
  return conn.call<RawMonitor[]>((cb) => {
    X.seq_num++;
    const b = Buffer.alloc(12);
    b.writeUInt8(randr.majorOpcode, 0);
    b.writeUInt8(RR_GET_MONITORS, 1);
    b.writeUInt16LE(3, 2);
    b.writeUInt32LE(conn.root, 4);
    b.writeUInt8(1, 8); // get_active
    X.pack_stream.put(b);
    // Reply body after the 8-byte header: timestamp, nMonitors, nOutputs, 12 pad, then MonitorInfo records.
    X.replies[X.seq_num] = [
      (buf: Buffer) => {
        const n = buf.readUInt32LE(4);
        const out: RawMonitor[] = [];
        let at = 24;
        for (let i = 0; i < n && at + 24 <= buf.length; i++) {
          const nOutput = buf.readUInt16LE(at + 6);
          out.push({ name: buf.readUInt32LE(at), primary: buf[at + 4] === 1, x: buf.readInt16LE(at + 8), y: buf.readInt16LE(at + 10), width: buf.readUInt16LE(at + 12), height: buf.readUInt16LE(at + 14) });
          at += 24 + nOutput * 4;
        }
        return out;
      },
      cb,
    ];
    X.pack_stream.submit(true);
  });
}

async function atomName(conn: XConnection, atom: number): Promise<string> {
  try {
    return await conn.call<string>((cb) => conn.X.GetAtomName(atom, cb));
  } catch {
    return `monitor-${atom}`;
  }
}

/** Lists monitors; never empty (the root is the fallback). */
export async function listMonitors(conn: XConnection): Promise<MonitorInfo[]> {
  const whole: MonitorInfo[] = [{ id: 0, name: 'screen', x: 0, y: 0, width: conn.width, height: conn.height, primary: true }];
  let randr: any;
  try {
    randr = await conn.ext('randr');
  } catch {
    return whole;
  }
  try {
    const raw = (await getMonitorsRaw(conn, randr)).filter((m) => m.width > 0 && m.height > 0);
    if (raw.length > 0) {
      const list = await Promise.all(raw.map(async (m) => ({ id: m.name, name: await atomName(conn, m.name), x: m.x, y: m.y, width: m.width, height: m.height, primary: m.primary })));
      if (!list.some((m) => m.primary)) list[0]!.primary = true;
      return clip(conn, list);
    }
  } catch {
    /* RandR before 1.5: fall through to CRTCs */
  }
  try {
    const res = await conn.call<any>((cb) => randr.GetScreenResourcesCurrent(conn.root, cb));
    const primary = await conn.call<number>((cb) => randr.GetOutputPrimary(conn.root, cb)).catch(() => 0);
    const list: MonitorInfo[] = [];
    for (const crtc of res.crtcs as number[]) {
      const info = await conn.call<any>((cb) => randr.GetCrtcInfo(crtc, res.config_timestamp, cb));
      if (!info.width || !info.height) continue;
      list.push({ id: crtc, name: `crtc-${crtc}`, x: info.x, y: info.y, width: info.width, height: info.height, primary: (info.output as number[]).includes(primary) });
    }
    if (list.length === 0) return whole;
    if (!list.some((m) => m.primary)) list[0]!.primary = true;
    return clip(conn, list);
  } catch {
    return whole;
  }
}

/** Keeps each monitor inside the root window (GetImage fails outside it). */
function clip(conn: XConnection, list: MonitorInfo[]): MonitorInfo[] {
  return list
    .map((m) => {
      const x = Math.max(0, m.x);
      const y = Math.max(0, m.y);
      return { ...m, x, y, width: Math.min(m.width, conn.width - x), height: Math.min(m.height, conn.height - y) };
    })
    .filter((m) => m.width > 0 && m.height > 0);
}
