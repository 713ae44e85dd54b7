/**
 * The console's end of a file view's browse channel: asks the appliance for
 * a `files` channel (`files_open`), connects it, and turns requests into
 * promises matched by request id (common/files-protocol.ts). Errors come
 * back as ApiError with the coded reason; a closed channel rejects every
 * pending request with `network`, and the view opens a new one on demand.
 */
import type { FileEntry, FilesReply, Volume } from '../../../common/files-protocol.ts';
import { ApiError } from '../net/api.ts';
import { openChannel } from '../net/channel-socket.ts';
import type { ConsoleContext } from './console-context.ts';

/** A browse request not answered in 30 s is taken as lost (a huge folder on a slow disk still fits). */
const BROWSE_TIMEOUT_MS = 30_000;

type Pending = { resolve(r: FilesReply): void; reject(e: ApiError): void; timer: ReturnType<typeof setTimeout> };

export class FilesBrowser {
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly ctx: ConsoleContext, private readonly sessionId: string) {}

  async volumes(): Promise<{ volumes: Volume[]; home: string }> {
    const r = await this.call({ t: 'volumes' });
    return r as unknown as { volumes: Volume[]; home: string };
  }

  async list(path: string): Promise<{ path: string; entries: FileEntry[]; more: number }> {
    return (await this.call({ t: 'list', path })) as unknown as { path: string; entries: FileEntry[]; more: number };
  }

  async mkdir(path: string): Promise<void> {
    await this.call({ t: 'mkdir', path });
  }

  async rename(from: string, to: string): Promise<void> {
    await this.call({ t: 'rename', from, to });
  }

  async delete(path: string): Promise<void> {
    await this.call({ t: 'delete', path });
  }

  close(): void {
    const ws = this.ws;
    this.ws = undefined;
    this.opening = undefined;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    this.failAll();
  }

  private failAll(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ApiError('network', 0));
    }
    this.pending.clear();
  }

  private connect(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    if (this.opening) return this.opening;
    this.opening = (async () => {
      const answer = await this.ctx.link.request({ t: 'files_open', sessionId: this.sessionId });
      if (answer.t !== 'channel_ticket') throw new ApiError('unexpected', 0);
      const ws = openChannel(answer.ticket);
      await new Promise<void>((resolve, reject) => {
        ws.addEventListener('open', () => resolve(), { once: true });
        ws.addEventListener('close', () => reject(new ApiError('network', 0)), { once: true });
      });
      ws.addEventListener('message', (ev) => this.receive(ev.data));
      ws.addEventListener('close', () => {
        if (this.ws === ws) {
          this.ws = undefined;
          this.opening = undefined;
          this.failAll();
        }
      });
      this.ws = ws;
      return ws;
    })();
    this.opening.catch(() => (this.opening = undefined));
    return this.opening;
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: FilesReply;
    try {
      msg = JSON.parse(data) as FilesReply;
    } catch {
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.t === 'error') p.reject(new ApiError(msg.code, 400, msg.detail));
    else p.resolve(msg);
  }

  private async call(req: Record<string, unknown> & { t: string }): Promise<FilesReply> {
    const ws = await this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError('network', 0));
      }, BROWSE_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...req, id }));
    });
  }
}
