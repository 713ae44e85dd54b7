/**
 * Outbound events (F33): the appliance POSTs session events (started,
 * accepted, transferred, rep joined/left, ended, …) to HTTPS endpoints an
 * administrator configured.
 *
 * Delivery contract:
 * - Each endpoint has its own queue in LMDB (keyspace `webhookq`, key
 *   `<endpointId>/<seq>`), so queued events survive a restart.
 * - Events go out one at a time per endpoint, in order. A 2xx reply removes
 *   the event; anything else (non-2xx, timeout, TLS or network failure)
 *   keeps it at the head and retries after 1 s, 2 s, 4 s … up to 5 min, so
 *   the endpoint never sees events out of order.
 * - The body is JSON `{ id, event, at, sessionId, actor, params, session }`;
 *   `X-RelayDesk-Event` names the event and `X-RelayDesk-Signature` is
 *   `sha256=<hex HMAC of the body with the endpoint's secret>`.
 * - An endpoint with `caPem` trusts only that CA (a private CA); otherwise
 *   the system's trust store. Plain http is refused.
 * - A queue holds at most MAX_QUEUED events per endpoint; beyond that the
 *   oldest are dropped and counted, so a dead endpoint cannot fill the disk.
 */
import { createHmac, randomBytes } from 'node:crypto';
import https from 'node:https';
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import type { SessionEvent } from '../../../common/sessions.ts';
import type { Store } from '../store/db.ts';
import { newId } from '../store/ids.ts';

export const MAX_QUEUED = 10_000;
const TIMEOUT_MS = 10_000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 5 * 60_000;

export interface WebhookEndpoint {
  readonly id: string;
  url: string;
  /** Event kinds to send; empty = all. */
  events: string[];
  readonly secret: string;
  caPem: string;
  enabled: boolean;
  readonly createdAt: number;
  /** Delivery state, for the admin page. */
  lastError: string | null;
  lastDeliveredAt: number | null;
  dropped: number;
}

interface Queued {
  readonly id: string;
  readonly body: string;
  readonly event: string;
  attempts: number;
  nextAt: number;
}

export interface SessionFacts {
  customer: string;
  queue: string;
  state: string;
}

function seqKey(endpointId: string, seq: number): string {
  return `${endpointId}/${String(seq).padStart(12, '0')}`;
}

export class Webhooks {
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Set<string>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- configuration -------------------------------------------------------

  list(): WebhookEndpoint[] {
    const out: WebhookEndpoint[] = [];
    for (const { value } of this.store.spaces.webhooks.getRange()) out.push(value as WebhookEndpoint);
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): WebhookEndpoint | undefined {
    return this.store.spaces.webhooks.get(id) as WebhookEndpoint | undefined;
  }

  createSync(url: string, events: string[], caPem: string): WebhookEndpoint {
    checkUrl(url);
    const ep: WebhookEndpoint = { id: newId(), url, events, secret: randomBytes(24).toString('base64url'), caPem, enabled: true, createdAt: this.now(), lastError: null, lastDeliveredAt: null, dropped: 0 };
    this.store.txSync(() => this.store.spaces.webhooks.putSync(ep.id, ep));
    return ep;
  }

  updateSync(id: string, change: (e: WebhookEndpoint) => void): WebhookEndpoint {
    return this.store.txSync(() => {
      const e = this.get(id);
      if (!e) throw new AppError('UNKNOWN_ID');
      change(e);
      checkUrl(e.url);
      this.store.spaces.webhooks.putSync(id, e);
      return e;
    });
  }

  removeSync(id: string): void {
    this.store.txSync(() => {
      if (!this.get(id)) throw new AppError('UNKNOWN_ID');
      this.store.spaces.webhooks.removeSync(id);
      for (const { key } of this.store.spaces.webhookq.getRange({ start: `${id}/`, end: `${id}/~` })) this.store.spaces.webhookq.removeSync(key);
    });
  }

  queued(endpointId: string): number {
    let n = 0;
    for (const _ of this.store.spaces.webhookq.getKeys({ start: `${endpointId}/`, end: `${endpointId}/~` })) n++;
    return n;
  }

  // ---- events in ----------------------------------------------------------------

  /** Queues a session event for every enabled endpoint that wants it. */
  sessionEvent(sessionId: string, e: SessionEvent, facts: SessionFacts | undefined): void {
    const targets = this.list().filter((ep) => ep.enabled && (ep.events.length === 0 || ep.events.includes(e.kind)));
    if (targets.length === 0) return;
    const id = newId();
    const body = JSON.stringify({ id, event: e.kind, at: new Date(e.at).toISOString(), sessionId, actor: e.actor, params: e.params, session: facts ?? null });
    this.enqueue(targets, { id, body, event: e.kind });
  }

  /** A test event for one endpoint (admin page "Send test"). */
  test(endpointId: string): void {
    const ep = this.get(endpointId);
    if (!ep) throw new AppError('UNKNOWN_ID');
    const id = newId();
    this.enqueue([ep], { id, event: 'test', body: JSON.stringify({ id, event: 'test', at: new Date(this.now()).toISOString(), sessionId: null, actor: null, params: {}, session: null }) });
  }

  private enqueue(targets: WebhookEndpoint[], item: { id: string; body: string; event: string }): void {
    this.store.txSync(() => {
      for (const ep of targets) {
        let last = 0;
        for (const key of this.store.spaces.webhookq.getKeys({ start: `${ep.id}/~`, end: `${ep.id}/`, reverse: true, limit: 1 })) last = Number(String(key).slice(ep.id.length + 1));
        this.store.spaces.webhookq.putSync(seqKey(ep.id, last + 1), { ...item, attempts: 0, nextAt: 0 } satisfies Queued);
        if (this.queued(ep.id) > MAX_QUEUED) {
          for (const key of this.store.spaces.webhookq.getKeys({ start: `${ep.id}/`, end: `${ep.id}/~`, limit: 1 })) this.store.spaces.webhookq.removeSync(key);
          ep.dropped += 1;
          this.store.spaces.webhooks.putSync(ep.id, ep);
        }
      }
    });
    this.kick(0);
  }

  // ---- delivery ----------------------------------------------------------------

  start(): void {
    this.stopped = false;
    this.kick(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private kick(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), delayMs);
    this.timer.unref();
  }

  /** Sends the head of every endpoint's queue that is due; schedules the next wake-up. */
  private pump(): void {
    this.timer = undefined;
    let next = Number.POSITIVE_INFINITY;
    const now = this.now();
    for (const ep of this.list()) {
      if (!ep.enabled || this.busy.has(ep.id)) continue;
      const head = this.head(ep.id);
      if (!head) continue;
      if (head.item.nextAt > now) {
        next = Math.min(next, head.item.nextAt);
        continue;
      }
      this.busy.add(ep.id);
      void this.deliver(ep, head.key, head.item).finally(() => {
        this.busy.delete(ep.id);
        this.kick(0);
      });
    }
    if (Number.isFinite(next)) this.kick(Math.max(0, next - now));
  }

  private head(endpointId: string): { key: string; item: Queued } | undefined {
    for (const { key, value } of this.store.spaces.webhookq.getRange({ start: `${endpointId}/`, end: `${endpointId}/~`, limit: 1 })) return { key: String(key), item: value as Queued };
    return undefined;
  }

  private async deliver(ep: WebhookEndpoint, key: string, item: Queued): Promise<void> {
    let error: string | null = null;
    try {
      const status = await post(ep, item);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      error = (err as Error).message.slice(0, 200);
    }
    // The endpoint may have been removed meanwhile; then there is nothing to record.
    if (!this.get(ep.id)) return;
    this.store.txSync(() => {
      const fresh = this.get(ep.id)!;
      if (error === null) {
        this.store.spaces.webhookq.removeSync(key);
        fresh.lastError = null;
        fresh.lastDeliveredAt = this.now();
      } else {
        const attempts = item.attempts + 1;
        const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(attempts - 1, 20));
        this.store.spaces.webhookq.putSync(key, { ...item, attempts, nextAt: this.now() + wait } satisfies Queued);
        fresh.lastError = error;
      }
      this.store.spaces.webhooks.putSync(fresh.id, fresh);
    });
    if (error) this.log.warn({ webhook: ep.url, event: item.event, error }, 'webhook delivery failed; will retry');
  }
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('BAD_FIELD', 'url is not a URL');
  }
  if (u.protocol !== 'https:') throw new AppError('BAD_FIELD', 'url must be https://');
  if (u.username || u.password) throw new AppError('BAD_FIELD', 'url must not carry a user or password');
}

function post(ep: WebhookEndpoint, item: Queued): Promise<number> {
  const signature = createHmac('sha256', ep.secret).update(item.body).digest('hex');
  return new Promise((resolve, reject) => {
    const req = https.request(
      ep.url,
      {
        method: 'POST',
        timeout: TIMEOUT_MS,
        agent: false,
        ...(ep.caPem ? { ca: [ep.caPem] } : {}),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(item.body),
          'user-agent': 'RelayDesk-Webhooks/1',
          'x-relaydesk-event': item.event,
          'x-relaydesk-delivery': item.id,
          'x-relaydesk-signature': `sha256=${signature}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(item.body);
  });
}
