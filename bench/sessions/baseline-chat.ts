/**
 * The same N chat pairs on the bare `ws` relay (relay-ws.ts), started as a
 * child process with the appliance's certificate, so TLS, framing and one
 * hop through another process are paid on both sides of the comparison.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../test/helpers/appliance.ts';
import type { ChatPair, Endpoint } from './chat-load.ts';
import { openRawSocket } from './sockets.ts';

export interface BaselineChat {
  readonly pairs: ChatPair[];
  readonly pid: number;
  close(): void;
}

export async function setUpBaselineChat(dataDir: string, caPem: string, n: number): Promise<BaselineChat> {
  const certs = path.join(dataDir, 'certs');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench', 'sessions', 'relay-ws.ts'), path.join(certs, 'server.key.pem'), path.join(certs, 'server.cert.pem')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`relay exited ${c}`)));
  });
  const sockets: Awaited<ReturnType<typeof openRawSocket>>[] = [];
  const endpoint = async (pair: number): Promise<{ ep: Endpoint; paired: Promise<void> }> => {
    const ws = await openRawSocket(`wss://127.0.0.1:${port}/`, caPem);
    sockets.push(ws);
    const handlers: Array<(b: string) => void> = [];
    let resolvePaired!: () => void;
    const paired = new Promise<void>((r) => (resolvePaired = r));
    ws.on('message', (data) => {
      const text = String(data);
      if (text === 'paired') return resolvePaired();
      for (const h of handlers) h(text);
    });
    ws.send(`pair:${pair}`);
    return { ep: { send: (body) => ws.send(body), onBody: (cb) => void handlers.push(cb) }, paired };
  };
  const pairs = await Promise.all(
    Array.from({ length: n }, async (_, i): Promise<ChatPair> => {
      const a = await endpoint(i);
      const b = await endpoint(i);
      await Promise.all([a.paired, b.paired]);
      return { customer: a.ep, rep: b.ep };
    }),
  );
  return {
    pairs,
    pid: child.pid!,
    close: () => {
      sockets.forEach((s) => s.terminate());
      child.kill('SIGTERM');
    },
  };
}
