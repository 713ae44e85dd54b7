/**
 * Running special actions (F22 item 6). A rep asks with `special_action`;
 * this service checks, in order: the rep's effective `specialActions`
 * permission (PERMISSION_DENIED), membership of a session that is active
 * (SESSION_UNKNOWN / SESSION_ENDED / NOT_MEMBER), the action (UNKNOWN_ID), a customer client that can run it
 * (CLIENT_UNSUPPORTED for click-to-chat, CUSTOMER_OFFLINE). Then it logs
 * `special_action_run`, sends the customer `special_action` with a fresh run
 * id, and remembers the run. The customer's `special_action_result` is
 * accepted only from that session's socket for a run it was sent; it is
 * logged (`special_action_done` / `_refused` / `_failed`) and published to
 * the session's reps as `special_action_result`. A run with no answer is
 * given up (logged as failed) after the client's time limit plus the consent
 * time and a margin.
 */
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import type { ApplianceToConsole } from '../../../common/protocol.ts';
import { SPECIAL_ACTION_TIMEOUT_MS, type SpecialActionInfo, type SpecialActionOutcome } from '../../../common/special-actions.ts';
import { newId } from '../store/ids.ts';
import type { PermissionStore } from '../store/permissions.ts';
import type { SpecialActionStore } from '../store/special-actions.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import type { CustomerHub, ExtraCustomerHandlers } from '../ws/customer-socket.ts';
import { topic, type SessionService } from './session-service.ts';

/** The client's own limit, plus 60 s for the customer to answer, plus 30 s for the way back. */
export const RUN_GIVE_UP_MS = SPECIAL_ACTION_TIMEOUT_MS + 90_000;

interface PendingRun {
  readonly sessionId: string;
  readonly name: string;
  readonly repName: string;
  readonly timer: NodeJS.Timeout;
}

export interface SpecialActionDeps {
  readonly log: Logger;
  readonly actions: SpecialActionStore;
  readonly permissions: PermissionStore;
  readonly sessions: SessionService;
  readonly customers: CustomerHub;
  publishConsole(topic: string, msg: ApplianceToConsole): void;
  readonly giveUpMs?: number;
}

export class SpecialActionService {
  private readonly pending = new Map<string, PendingRun>();

  constructor(private readonly d: SpecialActionDeps) {}

  private requirePermission(userId: string): void {
    if (!this.d.permissions.effective(userId).specialActions) throw new AppError('PERMISSION_DENIED', 'special actions');
  }

  /** What a permitted rep may pick from. */
  list(userId: string): SpecialActionInfo[] {
    this.requirePermission(userId);
    return this.d.actions.list().map(({ id, name, command, elevated, description }) => ({ id, name, command, elevated, description }));
  }

  /** Starts a run; returns its id and the action's name. */
  run(userId: string, sessionId: string, actionId: string): { runId: string; name: string } {
    this.requirePermission(userId);
    const session = this.d.sessions.memberSession(userId, sessionId);
    if (session.state !== 'active') throw new AppError('NOT_MEMBER', 'the session is not active');
    const action = this.d.actions.get(actionId);
    if (!action) throw new AppError('UNKNOWN_ID', 'special action');
    if (session.kind === 'browser' || session.kind === 'ssh' || session.kind === 'vnc') throw new AppError('CLIENT_UNSUPPORTED');
    const sockets = this.d.customers.socketsOf(sessionId);
    if (sockets.length === 0) throw new AppError('CUSTOMER_OFFLINE');
    const repName = this.d.sessions.repName(userId);
    const runId = newId();
    this.d.sessions.recordEvent(sessionId, 'special_action_run', repName, { name: action.name, elevated: String(action.elevated) });
    const timer = setTimeout(() => this.finish(runId, { outcome: 'failed', exitCode: -1, output: 'No answer from the customer client.' }), this.d.giveUpMs ?? RUN_GIVE_UP_MS);
    timer.unref();
    this.pending.set(runId, { sessionId, name: action.name, repName, timer });
    // The newest socket is the live one.
    this.d.customers.send(sockets[sockets.length - 1]!, { t: 'special_action', runId, name: action.name, command: action.command, elevated: action.elevated, rep: repName });
    this.d.log.info({ session: sessionId, rep: repName, action: action.name, runId }, 'special action sent to the customer');
    return { runId, name: action.name };
  }

  /** A customer socket of `sessionId` reports a run; runs of other sessions are refused. */
  result(sessionId: string, r: { runId: string; outcome: SpecialActionOutcome; exitCode: number; output: string }): void {
    const run = this.pending.get(r.runId);
    if (!run || run.sessionId !== sessionId) throw new AppError('UNKNOWN_ID', 'special action run');
    this.finish(r.runId, r);
  }

  private finish(runId: string, r: { outcome: SpecialActionOutcome; exitCode: number; output: string }): void {
    const run = this.pending.get(runId);
    if (!run) return;
    this.pending.delete(runId);
    clearTimeout(run.timer);
    const customer = (() => {
      try {
        return this.d.sessions.liveSession(run.sessionId).customer.name;
      } catch {
        return null;
      }
    })();
    if (r.outcome === 'done') this.d.sessions.recordEvent(run.sessionId, 'special_action_done', null, { name: run.name, exitCode: String(r.exitCode) });
    else if (r.outcome === 'refused') this.d.sessions.recordEvent(run.sessionId, 'special_action_refused', customer, { name: run.name });
    else this.d.sessions.recordEvent(run.sessionId, 'special_action_failed', null, { name: run.name, outcome: r.outcome });
    this.d.publishConsole(topic.session(run.sessionId), {
      t: 'special_action_result',
      sessionId: run.sessionId,
      runId,
      name: run.name,
      outcome: r.outcome,
      exitCode: r.exitCode,
      output: r.output,
    });
    this.d.log.info({ session: run.sessionId, action: run.name, runId, outcome: r.outcome, exitCode: r.exitCode }, 'special action finished');
  }

  stop(): void {
    for (const run of this.pending.values()) clearTimeout(run.timer);
    this.pending.clear();
  }
}

export function specialActionConsoleHandlers(service: SpecialActionService, hub: ConsoleHub): ExtraHandlers {
  return {
    list_special_actions(ws, body) {
      hub.send(ws, { t: 'special_actions', rid: body.rid as number, actions: service.list(ws.getUserData().userId) });
    },
    special_action(ws, body) {
      const sessionId = body.sessionId as string;
      const { runId, name } = service.run(ws.getUserData().userId, sessionId, body.actionId as string);
      hub.send(ws, { t: 'special_action_started', rid: body.rid as number, sessionId, runId, name });
    },
  };
}

export function specialActionCustomerHandlers(service: SpecialActionService): ExtraCustomerHandlers {
  return {
    special_action_result(ws, body) {
      const sessionId = ws.getUserData().sessionId;
      if (!sessionId) throw new AppError('WS_HELLO_FIRST');
      service.result(sessionId, {
        runId: body.runId as string,
        outcome: body.outcome as SpecialActionOutcome,
        exitCode: body.exitCode as number,
        output: body.output as string,
      });
    },
  };
}
