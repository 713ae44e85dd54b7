/**
 * Shell Jump (F13): a jump item that is an SSH host the appliance connects
 * to on the rep's behalf. The rep's browser never talks SSH: the appliance
 * opens the connection with the credentials given for this one jump (or a
 * vault credential it injects itself) and bridges its channels to the
 * console's shell pane.
 *
 * This module holds what both sides check: the item's target (host, port,
 * username), the host-key fingerprint in the form `ssh-keygen -lf` prints
 * (`SHA256:` + 43 characters of unpadded base64), and the limits of the
 * credentials a rep may type. Validation throws coded AppErrors and never
 * echoes a secret. Portable: no DOM, no Node.
 */
import { AppError } from './errors.ts';

/** `SHA256:` and the unpadded base64 of a SHA-256 digest, as `ssh-keygen -lf` prints it. */
export const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;
/** A DNS name (labels of letters, digits, hyphens, underscores), an IPv4 address or a bracket-less IPv6 address. */
export const HOST_PATTERN = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?|[0-9A-Fa-f:.]{2,45})$/;
/** A POSIX login name (portable set plus the `.`, `@` and `\` some directories use). */
export const SSH_USER_PATTERN = /^[A-Za-z0-9._@\\-]{1,64}$/;
export const MAX_HOST_LENGTH = 253;
export const MAX_ITEM_NAME = 100;
/** Typed credentials: a password up to 1 KiB, a private key (PEM or OpenSSH) up to 16 KiB. */
export const MAX_PASSWORD = 1024;
export const MAX_PRIVATE_KEY = 16 * 1024;
/** At most 10 keyboard-interactive rounds are answered per connection. */
export const MAX_PROMPT_ROUNDS = 10;

/** Where a Shell Jump item connects. */
export interface ShellJumpTarget {
  host: string;
  port: number;
  username: string;
  /** The pinned host key (trust on first use, or given when the item was made); null until then. */
  fingerprint: string | null;
}

/** Checks an item's target; throws SHELL_JUMP_BAD_TARGET naming the field. */
export function checkTarget(t: { host: unknown; port: unknown; username: unknown; fingerprint?: unknown }): ShellJumpTarget {
  const host = typeof t.host === 'string' ? t.host.trim() : '';
  if (!host || host.length > MAX_HOST_LENGTH || !HOST_PATTERN.test(host)) throw new AppError('SHELL_JUMP_BAD_TARGET', 'host');
  if (host.includes(':') && !/^[0-9A-Fa-f:.]+$/.test(host)) throw new AppError('SHELL_JUMP_BAD_TARGET', 'host');
  const port = t.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new AppError('SHELL_JUMP_BAD_TARGET', 'port');
  const username = typeof t.username === 'string' ? t.username : '';
  if (!SSH_USER_PATTERN.test(username)) throw new AppError('SHELL_JUMP_BAD_TARGET', 'username');
  const fp = t.fingerprint;
  if (fp !== undefined && fp !== null && fp !== '' && (typeof fp !== 'string' || !FINGERPRINT_PATTERN.test(fp))) throw new AppError('SHELL_JUMP_BAD_TARGET', 'fingerprint');
  return { host, port, username, fingerprint: typeof fp === 'string' && fp !== '' ? fp : null };
}

/** `user@host:port` as the event log and the facts show it (IPv6 in brackets). */
export function targetLabel(t: Pick<ShellJumpTarget, 'host' | 'port' | 'username'>): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.username}@${host}:${t.port}`;
}

/** One keyboard-interactive prompt as the console shows it (`echo` false: hide what is typed). */
export interface SshPrompt {
  prompt: string;
  echo: boolean;
}

/**
 * Does a vault credential's host pattern cover this host? Patterns are
 * case-insensitive host names where `*` stands for any run of characters
 * (`*.example.com`, `db-*`); an empty pattern binds to nothing (any item).
 */
export function hostMatches(pattern: string, host: string): boolean {
  if (!pattern) return true;
  // Greedy glob matching with one backtrack point: linear-ish, no regular expression to blow up.
  const p = pattern.toLowerCase();
  const s = host.toLowerCase();
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && p[i] !== '*' && p[i] === s[j]) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}
