/**
 * Support buttons (F25) on the appliance: deploy from a session, list the
 * ones a rep may see, remove. Keyspace `buttons` (key: id) keeps what the
 * console shows; the launcher's credential is a reusable start token (only
 * its hash is stored) that starts sessions with source `button` in the
 * button's queue. Removing revokes that token at once.
 *
 * Who: the session's owner deploys, to their own queue or one of their
 * teams'. A button is seen by its creator, by the members of its team, and
 * by administrators; removed by its creator, a lead or manager of its team,
 * or an administrator.
 */
import { AppError } from '../../../common/errors.ts';
import { NO_EXPIRY_MS, type SupportButton } from '../../../common/support-buttons.ts';
import { personalQueue, teamQueue } from '../domain/sessions.ts';
import type { Store } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import type { StartTokenStore } from '../store/start-tokens.ts';
import type { TeamStore } from '../store/teams.ts';
import type { UserStore } from '../store/users.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import type { CustomerHub } from '../ws/customer-socket.ts';
import type { SessionService } from './session-service.ts';

interface ButtonRecord {
  readonly id: string;
  readonly description: string;
  readonly queue: string;
  readonly hostname: string;
  readonly customerName: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly expiresAt: number | null;
  readonly tokenHash: string;
}

export interface ButtonDeps {
  readonly store: Store;
  readonly starts: StartTokenStore;
  readonly sessions: SessionService;
  readonly customers: CustomerHub;
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly hub: ConsoleHub;
}

export class SupportButtons {
  constructor(private readonly d: ButtonDeps, private readonly now: () => number = Date.now) {}

  private all(): ButtonRecord[] {
    const out: ButtonRecord[] = [];
    for (const { value } of this.d.store.spaces.buttons.getRange()) out.push(value as ButtonRecord);
    return out;
  }

  private teamOf(b: ButtonRecord): string | undefined {
    return b.queue.startsWith('team:') ? b.queue.slice(5) : undefined;
  }

  private canSee(userId: string, b: ButtonRecord): boolean {
    if (this.d.users.get(userId)?.admin || b.createdBy === userId) return true;
    const team = this.teamOf(b);
    return team !== undefined && this.d.teams.ofUser(userId).some(({ team: t }) => t.id === team);
  }

  private canRemove(userId: string, b: ButtonRecord): boolean {
    if (this.d.users.get(userId)?.admin || b.createdBy === userId) return true;
    const team = this.teamOf(b);
    return team !== undefined && this.d.teams.ofUser(userId).some(({ team: t, role }) => t.id === team && role !== 'member');
  }

  private view(b: ButtonRecord, userId: string): SupportButton {
    return {
      id: b.id,
      description: b.description,
      queue: b.queue,
      queueName: this.d.sessions.queueName(b.queue as never),
      hostname: b.hostname,
      customerName: b.customerName,
      createdAt: b.createdAt,
      createdBy: this.d.users.get(b.createdBy)?.displayName ?? '?',
      expiresAt: b.expiresAt,
      canRemove: this.canRemove(userId, b),
    };
  }

  list(userId: string): SupportButton[] {
    return this.all()
      .filter((b) => this.canSee(userId, b))
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((b) => this.view(b, userId));
  }

  deploy(userId: string, sessionId: string, description: string, group: string, days: number): SupportButton {
    const s = this.d.sessions.memberSession(userId, sessionId);
    if (s.owner !== userId) throw new AppError('NOT_OWNER');
    if (s.kind === 'browser' || s.kind === 'ssh' || s.kind === 'vnc') throw new AppError('CLIENT_UNSUPPORTED');
    const sockets = this.d.customers.socketsOf(sessionId);
    if (sockets.length === 0) throw new AppError('CUSTOMER_OFFLINE');
    let queue: string;
    if (group === 'personal') queue = personalQueue(userId);
    else {
      if (!this.d.teams.ofUser(userId).some(({ team }) => team.id === group)) throw new AppError('QUEUE_UNKNOWN');
      queue = teamQueue(group);
    }
    const now = this.now();
    const expiresAt = days > 0 ? now + days * 86_400_000 : null;
    const { token, hash } = this.d.starts.createSync(
      {
        queue: queue as never,
        source: 'button',
        repId: queue.startsWith('rep:') ? userId : null,
        customerName: s.customer.name,
        details: description,
        issue: null,
        originTeam: queue.startsWith('team:') ? queue.slice(5) : null,
        createdAt: now,
        expiresAt: expiresAt ?? now + NO_EXPIRY_MS,
        oneTime: false,
      },
      false,
    );
    const b: ButtonRecord = { id: newId(), description, queue, hostname: s.customer.hostname, customerName: s.customer.name, createdAt: now, createdBy: userId, expiresAt, tokenHash: hash };
    this.d.store.txSync(() => this.d.store.spaces.buttons.putSync(b.id, b));
    this.d.customers.send(sockets[sockets.length - 1]!, { t: 'button_install', buttonId: b.id, token, description });
    this.d.sessions.recordEvent(sessionId, 'button_deployed', this.d.sessions.repName(userId), { description, queue: this.d.sessions.queueName(queue as never) });
    return this.view(b, userId);
  }

  remove(userId: string, buttonId: string): void {
    const b = this.d.store.spaces.buttons.get(buttonId) as ButtonRecord | undefined;
    if (!b || !this.canSee(userId, b)) throw new AppError('BUTTON_UNKNOWN');
    if (!this.canRemove(userId, b)) throw new AppError('FORBIDDEN', 'only its creator, a lead or manager of its team, or an administrator');
    this.d.store.txSync(() => this.d.store.spaces.buttons.removeSync(b.id));
    this.d.starts.revokeSync(b.tokenHash);
  }

  consoleHandlers(): ExtraHandlers {
    const hub = this.d.hub;
    return {
      button_deploy: (ws, body) => {
        const button = this.deploy(ws.getUserData().userId, body.sessionId as string, (body.description as string).trim(), body.group as string, body.days as number);
        hub.send(ws, { t: 'buttons', rid: body.rid as number, buttons: [button] });
      },
      button_list: (ws, body) => hub.send(ws, { t: 'buttons', rid: body.rid as number, buttons: this.list(ws.getUserData().userId) }),
      button_remove: (ws, body) => {
        this.remove(ws.getUserData().userId, body.buttonId as string);
        hub.send(ws, { t: 'ack', rid: body.rid as number });
      },
    };
  }
}
