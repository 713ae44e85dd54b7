/**
 * Builds the appliance from validated options: store, certificates, services,
 * routes and sockets. `startAppliance` returns a handle with the bound port
 * and a `stop` that closes the listener and the store; main.ts adds signals.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { AppError } from '../../common/errors.ts';
import { ensureCertificatesSync } from '../../certs/ca.ts';
import { hashPassword } from './auth/password.ts';
import { AuthService } from './auth/service.ts';
import type { Options } from './config/options.ts';
import type { Context } from './context.ts';
import { TicketBook } from './domain/tickets.ts';
import { mountAdminRoutes } from './http/admin-routes.ts';
import { mountAuthRoutes } from './http/auth-routes.ts';
import { route } from './http/kit.ts';
import { mountStaticRoutes } from './http/static-routes.ts';
import { AuthSessionStore } from './store/auth-sessions.ts';
import { openStoreSync } from './store/db.ts';
import { SettingsStore } from './store/settings.ts';
import { TeamStore } from './store/teams.ts';
import { UserStore } from './store/users.ts';
import { uws, type us_listen_socket } from './uws.ts';
import { ConsoleHub, mountConsoleSocket } from './ws/console-socket.ts';

/** Expired sign-ins are swept every 10 minutes. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

export interface ApplianceHandle {
  readonly port: number;
  readonly ctx: Context;
  stop(): Promise<void>;
}

/** Where the built browser files are: `dist/web` at the repository root. */
export function defaultWebDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Runs from appliance/src (tsx) or from dist/ (bundle); both sit under the repo root.
  const root = here.includes(`${path.sep}dist`) ? here.slice(0, here.lastIndexOf(`${path.sep}dist`)) : path.resolve(here, '..', '..');
  return path.join(root, 'dist', 'web');
}

/** Creates the first administrator when the store has no users; returns the password if it was generated. */
async function ensureAdmin(users: UserStore, options: Options, log: Logger): Promise<string | undefined> {
  if (users.count() > 0) return undefined;
  const generated = options.adminPassword === undefined;
  const password = options.adminPassword ?? randomBytes(12).toString('base64url');
  users.createSync({ username: options.adminUser, displayName: 'Administrator', admin: true, passwordHash: await hashPassword(password) });
  log.info({ user: options.adminUser, passwordFrom: generated ? 'generated' : 'environment' }, 'first administrator created');
  return generated ? password : undefined;
}

export async function startAppliance(options: Options, log: Logger, webDir = defaultWebDir()): Promise<ApplianceHandle & { generatedAdminPassword?: string }> {
  const store = openStoreSync(options.data);
  const certs = ensureCertificatesSync(options.data, options.names);
  if (certs.created) log.info({ dir: certs.dir, caSpkiSha256: certs.caSpkiSha256 }, 'certificates created');
  const users = new UserStore(store);
  const authSessions = new AuthSessionStore(store);
  const hub = new ConsoleHub(log);
  const auth = new AuthService(users, authSessions, options.sessionMinutes * 60_000, {
    onRevoked: (keys, reason) => hub.signOut(keys, reason),
  });
  const ctx: Context = {
    options,
    log,
    store,
    users,
    teams: new TeamStore(store),
    settings: new SettingsStore(store),
    authSessions,
    auth,
    hub,
    tickets: new TicketBook(),
    certs,
  };
  const generatedAdminPassword = await ensureAdmin(users, options, log);

  const app = uws.SSLApp({ key_file_name: certs.serverKey, cert_file_name: certs.serverCert });
  route(app, ctx, 'get', '/api/health', (_req, reply) => reply.json(200, { ok: true }));
  mountAuthRoutes(app, ctx);
  mountAdminRoutes(app, ctx);
  mountConsoleSocket(app, auth, hub, log);
  mountStaticRoutes(app, ctx, webDir);
  app.any('/*', (res, req) => {
    const notFound = new AppError(req.getUrl().startsWith('/api/') ? 'NOT_FOUND' : 'NOT_FOUND');
    res.cork(() => {
      res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/json; charset=utf-8').end(JSON.stringify(notFound.toBody()));
    });
  });

  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(options.host, options.port, (s) => (s ? resolve(s) : reject(new Error(`cannot listen on ${options.host}:${options.port} (in use, or no permission)`))));
  });
  const port = uws.us_socket_local_port(listenSocket);
  const sweep = setInterval(() => authSessions.sweepSync(Date.now()), SWEEP_INTERVAL_MS);
  sweep.unref();
  log.info({ url: `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/`, data: options.data }, 'appliance listening');

  return {
    port,
    ctx,
    generatedAdminPassword,
    async stop() {
      clearInterval(sweep);
      uws.us_listen_socket_close(listenSocket);
      hub.signOut([], 'logout');
      await store.close();
    },
  };
}
