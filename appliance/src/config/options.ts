/**
 * Settings of the daemon: one schema, read from the command line and from
 * `RELAYDESK_*` environment variables (the command line wins), validated at
 * start. `--help` prints this table.
 */
import path from 'node:path';

export interface Options {
  host: string;
  port: number;
  data: string;
  /** Host names and addresses the server certificate covers; the first is the public name. */
  names: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminUser: string;
  /** Read from RELAYDESK_ADMIN_PASSWORD only (never a flag: flags show in `ps`). */
  adminPassword: string | undefined;
  /** How long a sign-in lasts without activity, in minutes. */
  sessionMinutes: number;
}

interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly def: string;
}

export const OPTION_SPECS: Record<Exclude<keyof Options, 'adminPassword'>, OptionSpec> = {
  host: { flag: '--host', env: 'RELAYDESK_HOST', def: '127.0.0.1', help: 'address to listen on (0.0.0.0 or :: for every interface)' },
  port: { flag: '--port', env: 'RELAYDESK_PORT', def: '8443', help: 'HTTPS/WSS port (0 picks a free one and logs it)' },
  data: { flag: '--data', env: 'RELAYDESK_DATA', def: './data', help: 'data folder: LMDB store, certificates, builds' },
  names: { flag: '--names', env: 'RELAYDESK_NAMES', def: 'localhost,127.0.0.1,::1', help: 'comma-separated host names/IPs for the server certificate' },
  logLevel: { flag: '--log-level', env: 'RELAYDESK_LOG_LEVEL', def: 'info', help: 'fatal|error|warn|info|debug|trace|silent' },
  adminUser: { flag: '--admin-user', env: 'RELAYDESK_ADMIN_USER', def: 'admin', help: 'name of the administrator created on first start' },
  sessionMinutes: { flag: '--session-minutes', env: 'RELAYDESK_SESSION_MINUTES', def: '480', help: 'sign-in lifetime in minutes' },
};

export const ADMIN_PASSWORD_ENV = 'RELAYDESK_ADMIN_PASSWORD';

export function helpText(): string {
  const lines = ['Usage: npm start -- [options]', '', 'Options (each also settable by its environment variable):'];
  for (const spec of Object.values(OPTION_SPECS)) {
    lines.push(`  ${spec.flag.padEnd(18)} ${spec.env.padEnd(28)} ${spec.help} (default: ${spec.def})`);
  }
  lines.push(`  ${'--help'.padEnd(18)} ${''.padEnd(28)} print this text`);
  lines.push('');
  lines.push(`  ${ADMIN_PASSWORD_ENV}: password of the first administrator; when unset, one is generated and printed once.`);
  return lines.join('\n');
}

export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** Parses argv (without node and script) and env into validated Options. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Options | 'help' {
  const raw: Record<string, string> = {};
  for (const [key, spec] of Object.entries(OPTION_SPECS)) {
    raw[key] = env[spec.env] ?? spec.def;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const entry = Object.entries(OPTION_SPECS).find(([, s]) => s.flag === flag);
    if (!entry) throw new OptionsError(`unknown option ${flag} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new OptionsError(`${flag} needs a value`);
    raw[entry[0]] = value;
  }
  const port = Number(raw.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OptionsError(`--port must be 0–65535, got ${raw.port}`);
  const sessionMinutes = Number(raw.sessionMinutes);
  if (!Number.isInteger(sessionMinutes) || sessionMinutes < 1 || sessionMinutes > 7 * 24 * 60) throw new OptionsError('--session-minutes must be 1–10080');
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = levels.find((l) => l === raw.logLevel);
  if (!logLevel) throw new OptionsError(`--log-level must be one of ${levels.join(', ')}`);
  const names = raw.names!.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new OptionsError('--names needs at least one name');
  if (!/^[A-Za-z0-9._@-]{2,64}$/.test(raw.adminUser!)) throw new OptionsError('--admin-user must be 2–64 letters, digits or ._@-');
  const adminPassword = env[ADMIN_PASSWORD_ENV] || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) throw new OptionsError(`${ADMIN_PASSWORD_ENV} must have at least 10 characters`);
  return {
    host: raw.host!,
    port,
    data: path.resolve(raw.data!),
    names,
    logLevel,
    adminUser: raw.adminUser!,
    adminPassword,
    sessionMinutes,
  };
}
