/**
 * A real VNC server for tests: x11vnc serving a test Xvfb display
 * (test/helpers/xvfb.ts) on a free port of 127.0.0.1, with no password or
 * with one stored by `x11vnc -storepasswd`. Ready when x11vnc prints its
 * `PORT=` line. Also reads the display back with `xwd` (the reference a
 * VNC framebuffer is compared with, pixel for pixel).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const READY_TIMEOUT_MS = 15_000;

export interface TestVnc {
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Why the VNC tests cannot run here, or undefined when they can. */
export function vncUnavailable(): string | undefined {
  for (const bin of ['Xvfb', 'x11vnc', 'xwd']) if (spawnSync('which', [bin]).status !== 0) return `${bin} is not installed (scripts/install-deps.sh installs it)`;
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startX11vnc(display: string, opts: { password?: string } = {}): Promise<TestVnc> {
  const dir = mkdtempSync(path.join(tmpdir(), 'relaydesk-vnc-'));
  const args = ['-display', display, '-localhost', '-forever', '-shared', '-noxdamage', '-nolookup', '-noipv6', '-nopw', '-norc', '-nocursor', '-noxrecord'];
  if (opts.password) {
    const file = path.join(dir, 'passwd');
    const r = spawnSync('x11vnc', ['-storepasswd', opts.password, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`x11vnc -storepasswd failed: ${r.stderr}`);
    args.push('-rfbauth', file);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn('x11vnc', [...args, '-rfbport', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (process.env.VNC_DEBUG) child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    let out = '';
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      const look = (d: Buffer): void => {
        out += d.toString();
        if (/PORT=\d+/.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ok) {
      child.kill('SIGKILL');
      continue;
    }
    const reap = (): void => void child.kill('SIGKILL');
    process.once('exit', reap);
    return {
      port,
      process: child,
      async stop() {
        process.removeListener('exit', reap);
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          // x11vnc cleans up on SIGTERM; a busy machine gets 3 s before SIGKILL.
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await gone;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('x11vnc did not start');
}

/** The whole root window as packed BGRX rows, read by `xwd` (X's own GetImage). */
export function captureBgrx(display: string): { width: number; height: number; bgrx: Uint8Array } {
  const r = spawnSync('xwd', ['-root', '-silent', '-display', display], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`xwd failed: ${r.stderr}`);
  const b = r.stdout as Buffer;
  const headerSize = b.readUInt32BE(0);
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const byteOrder = b.readUInt32BE(28);
  const bpp = b.readUInt32BE(44);
  const bytesPerLine = b.readUInt32BE(48);
  const ncolors = b.readUInt32BE(76);
  if (bpp !== 32) throw new Error(`xwd: ${bpp} bits a pixel`);
  const data = b.subarray(headerSize + ncolors * 12);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * bytesPerLine + x * 4;
      const px = byteOrder === 0 ? data.readUInt32LE(at) : data.readUInt32BE(at);
      const o = (y * width + x) * 4;
      out[o] = px & 0xff;
      out[o + 1] = (px >> 8) & 0xff;
      out[o + 2] = (px >> 16) & 0xff;
      out[o + 3] = 0;
    }
  }
  return { width, height, bgrx: out };
}

export interface TestTigervnc extends TestVnc {
  readonly display: string;
}

/** Why Xtigervnc cannot run here, or undefined when it can. */
export function tigervncUnavailable(): string | undefined {
  for (const bin of ['Xtigervnc', 'xclip']) if (spawnSync('which', [bin]).status !== 0) return `${bin} is not installed (scripts/install-deps.sh installs it)`;
  return undefined;
}

/**
 * TigerVNC's own X server with a VNC server inside (security None), on a
 * display it picks itself (`-displayfd`) and a free port of 127.0.0.1. Its
 * clipboard follows the X selections, so RFB cut text can be checked with
 * xclip. Ready when it names its display.
 */
export async function startTigervnc(width = 640, height = 400): Promise<TestTigervnc> {
  const port = await freePort();
  const child = spawn('Xtigervnc', ['-displayfd', '3', '-geometry', `${width}x${height}`, '-depth', '24', '-rfbport', String(port), '-localhost', '-interface', '127.0.0.1', '-SecurityTypes', 'None', '-AlwaysShared', '-noreset', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xtigervnc not ready: ${stderr.slice(-500)}`)), READY_TIMEOUT_MS);
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(`:${d.toString().trim()}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xtigervnc exited (${code}): ${stderr.slice(-500)}`));
    });
  });
  const reap = (): void => void child.kill('SIGKILL');
  process.once('exit', reap);
  return {
    display,
    port,
    process: child,
    async stop() {
      process.removeListener('exit', reap);
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(timer);
      }
    },
  };
}
