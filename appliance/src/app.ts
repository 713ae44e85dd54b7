/**
 * Builds the appliance from validated options: store, certificates, services,
 * routes and sockets. `startAppliance` returns a handle with the bound port
 * and a `stop` that closes the listener and the store; main.ts adds signals.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
import { ConsoleHub, greet, mountConsoleSocket } from './ws/console-socket.ts';
import { CustomerHub, mountCustomerSocket } from './ws/customer-socket.ts';
import { CustomerBuilds } from './builds/customer-build.ts';
import { mountAdminSessionRoutes } from './http/admin-routes.ts';
import { mountConsoleRoutes } from './http/console-routes.ts';
import { mountPortalRoutes } from './http/portal-routes.ts';
import { Mailer } from './services/mailer.ts';
import { SessionService } from './services/session-service.ts';
import { encodeConsoleMessage } from '../../common/protocol.ts';
import { encodeCustomerMessage } from '../../common/customer-protocol.ts';
import { IssueStore } from './store/issues.ts';
import { PrefsStore } from './store/prefs.ts';
import { SessionStore } from './store/sessions.ts';
import { StartTokenStore } from './store/start-tokens.ts';
import { TeamChatStore } from './store/team-chat.ts';
import { PermissionStore } from './store/permissions.ts';
import { mountPermissionRoutes } from './http/permission-routes.ts';
import { ChannelService } from './relay/channels.ts';
import { ScreenKind, screenHandlers } from './relay/screen.ts';
import { ReportService } from './services/reports.ts';
import { JumpService } from './services/jump-service.ts';
import { SupportButtons } from './services/support-buttons.ts';
import { JumpPolicyStore, JumpStore } from './store/jump-items.ts';
import { mountJumpPolicyRoutes } from './http/jump-policy-routes.ts';
import { mountReportRoutes } from './http/report-routes.ts';
import { mountStatusRoutes } from './http/status-routes.ts';
import { ApiAccounts } from './integration/api-accounts.ts';
import { mountIntegrationRoutes, mountWebhookRoutes } from './integration/routes.ts';
import { Webhooks } from './integration/webhooks.ts';
import { SpecialActionStore } from './store/special-actions.ts';
import { SpecialActionService, specialActionConsoleHandlers, specialActionCustomerHandlers } from './services/special-actions.ts';
import { mountSpecialActionRoutes } from './http/special-action-routes.ts';
import { ProbeKind, probeHandlers } from './relay/probe.ts';
import { FilesKind, filesHandlers, movedFilesAttachments } from './relay/files.ts';
import { ShellKind, createShellRelay, shellHandlers } from './relay/shell-kind.ts';
import { mountShellRecordingRoutes, shellRecordingAttachments } from './http/shell-recording-routes.ts';
import { ShellRecordingStore } from './store/shell-recordings.ts';
import { sessionOfTopic } from './services/session-service.ts';
import { ShellJumpService } from './services/shell-jump-service.ts';
import { VncJumpService } from './services/vnc-jump-service.ts';
import { loadMediaCore, type MediaCore } from '../../wasm/src/index.ts';
import { CredentialBroker } from './vault/broker.ts';
import { VaultKey } from './vault/key.ts';
import { loadProvider, VAULT_PROVIDER_ENV } from './vault/provider.ts';
import { Vault } from './vault/vault.ts';
import { mountVaultRoutes } from './http/vault-routes.ts';

/** Expired sign-ins are swept every 10 minutes. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

export interface ApplianceHandle {
  readonly port: number;
  readonly ctx: Context;
  stop(): Promise<void>;
}

/**
 * uSockets binds without SO_REUSEADDR, so right after a crash the port is held
 * by TIME-WAIT connections for up to 60 s. Retry every LISTEN_RETRY_MS until
 * LISTEN_RETRY_FOR_MS have passed, so a supervisor's immediate restart works.
 */
const LISTEN_RETRY_MS = 500;
const LISTEN_RETRY_FOR_MS = 75_000;

async function listenWithRetry(app: ReturnType<typeof uws.SSLApp>, host: string, port: number, log: Logger): Promise<us_listen_socket> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const socket = await new Promise<us_listen_socket | false>((resolve) => app.listen(host, port, (s) => resolve(s)));
    if (socket) return socket;
    if (port === 0 || Date.now() - started > LISTEN_RETRY_FOR_MS) throw new Error(`cannot listen on ${host}:${port} (in use, or no permission)`);
    if (attempt === 0) log.warn({ host, port }, 'port busy (a previous run may have just stopped); retrying');
    await new Promise((r) => setTimeout(r, LISTEN_RETRY_MS));
  }
}

/** The repository root: this file runs from appliance/src (tsx) or from dist/ (bundle). */
function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist`) ? here.slice(0, here.lastIndexOf(`${path.sep}dist`)) : path.resolve(here, '..', '..');
}

/** The version in the repository's package.json, shown on the admin status page. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Where the built browser files are: `dist/web` at the repository root. */
export function defaultWebDir(): string {
  return path.join(repoRoot(), 'dist', 'web');
}

function originFor(name: string, port: number): string {
  const host = name.includes(':') ? `[${name}]` : name;
  return port === 443 ? `https://${host}` : `https://${host}:${port}`;
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
  const customers = new CustomerHub(log);
  const teams = new TeamStore(store);
  const settings = new SettingsStore(store);
  const starts = new StartTokenStore(store);
  const issues = new IssueStore(store);
  const permissions = new PermissionStore(store, teams);
  const sessionStore = new SessionStore(store);
  const webhooks = new Webhooks(store, log);
  const actions = new SpecialActionStore(store);
  const sessions = new SessionService({
    log,
    users,
    teams,
    sessions: sessionStore,
    starts,
    issues,
    prefs: new PrefsStore(store),
    teamChat: new TeamChatStore(store),
    settings,
  });
  const reports = new ReportService(sessionStore, users, (s) => sessions.queueName(s.queue));
  const jumpStore = new JumpStore(store);
  const jumpPolicies = new JumpPolicyStore(store);
  const jumps = new JumpService({ log, jumps: jumpStore, users, teams, starts, sessions, customers, hub, policies: jumpPolicies });
  const channels = new ChannelService({ log, sessions, customers });
  channels.register(new ProbeKind());
  // Remote VNC jumps encode on the appliance with the same media core the browsers decode with.
  let mediaCore: Promise<MediaCore> | undefined;
  const loadCore = (): Promise<MediaCore> => (mediaCore ??= readFile(path.join(webDir, 'media-core.wasm')).then((b) => loadMediaCore(b)));
  let vncJumps: VncJumpService | undefined;
  const screenDeps = { channels, sessions, permissions, local: (sessionId: string) => vncJumps?.screenOf(sessionId) };
  const screen = new ScreenKind(screenDeps);
  channels.register(screen);
  const files = new FilesKind(channels, permissions);
  channels.register(files);
  const shellRecordings = new ShellRecordingStore(store);
  reports.addAttachments((sessionId) => shellRecordingAttachments(shellRecordings, sessionId));
  reports.addAttachments((sessionId) => movedFilesAttachments(sessionStore.fullHistory('events', sessionId)));
  const vault = new Vault({
    store,
    key: new VaultKey(options.data),
    userName: (id) => users.get(id)?.displayName ?? '?',
    userExists: (id) => Boolean(users.get(id)),
    teamExists: (id) => Boolean(teams.get(id)),
  });
  // No SSH connection outlives the process: whatever was checked out is free again.
  vault.checkInAllAfterRestart();
  const providerSpec = process.env[VAULT_PROVIDER_ENV];
  const external = providerSpec ? await loadProvider(providerSpec) : undefined;
  if (external) log.info({ provider: external.id }, 'external credential provider loaded');
  const broker = new CredentialBroker({ log, vault, external, users, teams, sessions, hub, jumpItem: (userId, itemId) => jumps.visible(userId, itemId) });
  const shellJumps = new ShellJumpService({ log, jumps, store: jumpStore, policies: jumpPolicies, users, teams, permissions, sessions, hub, relay: () => shells, vault: () => broker });
  vncJumps = new VncJumpService({ log, jumps, store: jumpStore, policies: jumpPolicies, users, teams, permissions, sessions, hub, core: loadCore, vault: () => broker });
  const shells = createShellRelay({ sessions, permissions, settings, store, log }, channels, shellJumps);
  channels.register(new ShellKind(shells));
  const auth = new AuthService(users, authSessions, options.sessionMinutes * 60_000, {
    onRevoked: (keys, reason) => hub.signOut(keys, reason),
  });
  const ctx: Context = {
    options,
    log,
    store,
    users,
    teams,
    settings,
    authSessions,
    auth,
    hub,
    tickets: new TicketBook(),
    certs,
    customers,
    sessions,
    starts,
    issues,
    mailer: new Mailer(settings),
    permissions,
    channels,
    reports,
    jumps,
    actions,
    builds: new CustomerBuilds('', { url: '', caPem: '', serverSpkiSha256: '' }),
    publicOrigin: '',
  };
  const generatedAdminPassword = await ensureAdmin(users, options, log);

  const app = uws.SSLApp({ key_file_name: certs.serverKey, cert_file_name: certs.serverCert });
  route(app, ctx, 'get', '/api/health', (_req, reply) => reply.json(200, { ok: true }));
  mountAuthRoutes(app, ctx);
  mountAdminRoutes(app, ctx);
  mountConsoleRoutes(app, ctx);
  mountPortalRoutes(app, ctx);
  mountAdminSessionRoutes(app, ctx);
  mountPermissionRoutes(app, ctx);
  mountReportRoutes(app, ctx, reports);
  mountStatusRoutes(app, ctx, packageVersion());
  mountJumpPolicyRoutes(app, ctx, jumpPolicies, jumpStore);
  mountIntegrationRoutes(app, ctx, new ApiAccounts(store));
  mountWebhookRoutes(app, ctx, webhooks);
  mountSpecialActionRoutes(app, ctx);
  mountShellRecordingRoutes(app, ctx);
  mountVaultRoutes(app, ctx, vault, broker);
  const specialActions = new SpecialActionService({ log, actions, permissions, sessions, customers, publishConsole: (t, msg) => void app.publish(t, encodeConsoleMessage(msg)) });
  mountConsoleSocket(app, auth, hub, sessions, log, permissions, {
    ...probeHandlers(channels, hub),
    ...screenHandlers(screen, screenDeps, hub),
    ...specialActionConsoleHandlers(specialActions, hub),
    ...jumps.consoleHandlers(),
    ...new SupportButtons({ store, starts, sessions, customers, users, teams, hub }).consoleHandlers(),
    ...filesHandlers(channels, hub, permissions),
    ...shellHandlers(shells, hub),
    ...shellJumps.consoleHandlers(),
    ...vncJumps.consoleHandlers(),
    ...broker.consoleHandlers(),
  });
  jumps.mount(app);
  mountCustomerSocket(app, customers, sessions, log, {
    ...specialActionCustomerHandlers(specialActions),
  });
  channels.mount(app, auth);
  sessions.attach({
    publishConsole: (topic, msg) => {
      app.publish(topic, encodeConsoleMessage(msg));
      // Every session event also goes to the configured webhooks (queued in LMDB, delivered in order).
      if (msg.t === 'event') {
        const s = sessionStore.get(msg.sessionId);
        webhooks.sessionEvent(msg.sessionId, msg.event, s ? { customer: s.customer.name, queue: sessions.queueName(s.queue), state: s.state } : undefined);
      }
    },
    publishCustomer: (topic, msg) => void app.publish(topic, encodeCustomerMessage(msg)),
    setUserTopic: (userId, topic, on) => {
      for (const ws of hub.socketsOf(userId)) {
        if (on) ws.subscribe(topic);
        else ws.unsubscribe(topic);
      }
      // A rep who is no longer a member loses the session's channels too.
      const session = sessionOfTopic(topic);
      if (!on && session) channels.closeRep(session, userId);
    },
    closeCustomer: (sessionId) => {
      shells.endSession(sessionId);
      shellJumps.sessionEnded(sessionId);
      vncJumps?.sessionEnded(sessionId);
      channels.closeSession(sessionId);
      customers.closeSession(sessionId);
    },
    isOnline: (userId) => hub.isOnline(userId),
  });
  // An administrator changed a team's members: the consoles of reps who joined or left it get a fresh
  // welcome (queues, waiting sessions, team chat) and the matching subscriptions, without reconnecting.
  const membership = new Map(teams.list().map((t) => [t.id, new Set(t.members.map((m) => m.userId))]));
  teams.onChange((teamId) => {
    const before = membership.get(teamId) ?? new Set<string>();
    const team = teams.get(teamId);
    const after = new Set(team?.members.map((m) => m.userId) ?? []);
    if (team) membership.set(teamId, after);
    else membership.delete(teamId);
    for (const userId of new Set([...before, ...after])) {
      if (before.has(userId) && after.has(userId)) continue;
      for (const ws of hub.socketsOf(userId)) greet(ws, hub, sessions, permissions);
    }
  });
  // An administrator changed a grant or a team's members: every open console of those users learns its new permissions.
  permissions.onChange((userIds) => {
    files.revoke(userIds);
    for (const userId of userIds) {
      const sockets = hub.socketsOf(userId);
      if (sockets.length === 0) continue;
      const effective = permissions.effective(userId);
      for (const ws of sockets) hub.send(ws, { t: 'permissions', permissions: effective });
    }
  });
  mountStaticRoutes(app, ctx, webDir);
  app.any('/*', (res, req) => {
    const notFound = new AppError(req.getUrl().startsWith('/api/') ? 'NOT_FOUND' : 'NOT_FOUND');
    res.cork(() => {
      res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/json; charset=utf-8').end(JSON.stringify(notFound.toBody()));
    });
  });

  const listenSocket = await listenWithRetry(app, options.host, options.port, log);
  const port = uws.us_socket_local_port(listenSocket);
  ctx.publicOrigin = originFor(options.names[0]!, port);
  ctx.builds = new CustomerBuilds(path.join(repoRoot(), 'dist', 'client', 'relaydesk-client.mjs'), {
    url: ctx.publicOrigin.replace(/^https/, 'wss'),
    caPem: certs.caCertPem,
    serverSpkiSha256: certs.serverSpkiSha256,
  });
  sessions.recoverAfterStart();
  webhooks.start();
  const sweep = setInterval(() => authSessions.sweepSync(Date.now()), SWEEP_INTERVAL_MS);
  sweep.unref();
  log.info({ url: `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/`, data: options.data }, 'appliance listening');

  return {
    port,
    ctx,
    generatedAdminPassword,
    async stop() {
      clearInterval(sweep);
      webhooks.stop();
      sessions.stop();
      specialActions.stop();
      uws.us_listen_socket_close(listenSocket);
      hub.signOut([], 'logout');
      await store.close();
    },
  };
}
