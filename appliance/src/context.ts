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
}
