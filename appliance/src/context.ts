/** Everything a route or socket handler may use, built once in app.ts. */
import type { Logger } from 'pino';
import type { CertificateInfo } from '../../certs/ca.ts';
import type { AuthService } from './auth/service.ts';
import type { Options } from './config/options.ts';
import type { TicketBook } from './domain/tickets.ts';
import type { AuthSessionStore } from './store/auth-sessions.ts';
import type { Store } from './store/db.ts';
import type { SettingsStore } from './store/settings.ts';
import type { TeamStore } from './store/teams.ts';
import type { UserStore } from './store/users.ts';
import type { ConsoleHub } from './ws/console-socket.ts';
import type { CustomerHub } from './ws/customer-socket.ts';
import type { SessionService } from './services/session-service.ts';
import type { StartTokenStore } from './store/start-tokens.ts';
import type { IssueStore } from './store/issues.ts';
import type { Mailer } from './services/mailer.ts';
import type { CustomerBuilds } from './builds/customer-build.ts';
import type { PermissionStore } from './store/permissions.ts';
import type { SpecialActionStore } from './store/special-actions.ts';
import type { ChannelService } from './relay/channels.ts';
import type { ReportService } from './services/reports.ts';
import type { JumpService } from './services/jump-service.ts';

export interface Context {
  readonly options: Options;
  readonly log: Logger;
  readonly store: Store;
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly settings: SettingsStore;
  readonly authSessions: AuthSessionStore;
  readonly auth: AuthService;
  readonly hub: ConsoleHub;
  readonly tickets: TicketBook;
  readonly certs: CertificateInfo;
  readonly customers: CustomerHub;
  readonly sessions: SessionService;
  readonly starts: StartTokenStore;
  readonly issues: IssueStore;
  readonly mailer: Mailer;
  /** Rep permissions: grants per user and team, `effective(userId)` for checks. */
  readonly permissions: PermissionStore;
  /** Administrator-defined special actions (the runs are services/special-actions.ts). */
  readonly actions: SpecialActionStore;
  /** Data channels (shell, files, screen…) of live sessions. */
  readonly channels: ChannelService;
  /** Session reports; features add attachments (recordings, moved files). */
  readonly reports: ReportService;
  readonly jumps: JumpService;
  /** Set once the port is bound (port 0 picks one). */
  builds: CustomerBuilds;
  /** `https://<first --names entry>:<port>`: what customers and key URLs use. */
  publicOrigin: string;
}
