/**
 * JSON calls to the appliance. Every call sends `X-Requested-With: relaydesk`
 * (the sign-in guard); every write also sends the session's CSRF token, which
 * the page learns from a sign-in or `/me` reply and keeps here (never in
 * storage: a reload asks `/me` again). Failures become an `ApiError` carrying
 * the catalogue code from the `{error:{code,message,detail}}` body.
 */
import { isErrorCode, type ErrorCode } from '../../../common/errors.ts';

/** `network`: no answer at all; `unexpected`: an answer without a catalogue code. */
export type FailureCode = ErrorCode | 'network' | 'unexpected';

export class ApiError extends Error {
  constructor(
    readonly code: FailureCode,
    readonly status: number,
    readonly detail?: string,
  ) {
    super(`${code} (${status})${detail ? `: ${detail}` : ''}`);
  }
}

/** The sign-in reply shared by `/api/auth/*` and `/api/console/*`. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  admin: boolean;
  disabled: boolean;
  createdAt: number;
}
export type TeamRole = 'member' | 'lead' | 'manager';
export interface Me {
  user: PublicUser;
  csrf: string;
  teams: Array<{ id: string; name: string; role: TeamRole }>;
  allowWebConsole: boolean;
}

let csrf = '';

/** Remembers the token for later writes (from a sign-in or /me reply). */
export function useCsrf(token: string): void {
  csrf = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'X-Requested-With': 'relaydesk', Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (csrf) headers['X-CSRF-Token'] = csrf;
    init.body = JSON.stringify(body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError('network', 0);
  }
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw new ApiError('unexpected', res.status);
  }
  if (res.ok) return data as T;
  const err = (data as { error?: { code?: unknown; detail?: unknown } } | null)?.error;
  const code = isErrorCode(err?.code) ? err.code : 'unexpected';
  throw new ApiError(code, res.status, typeof err?.detail === 'string' ? err.detail : undefined);
}

/** Like `api`, but a 401 AUTH_REQUIRED answers `undefined` (not signed in) instead of throwing. */
export async function whoAmI(path: '/api/auth/me' | '/api/console/me'): Promise<Me | undefined> {
  try {
    const me = await api<Me>('GET', path);
    useCsrf(me.csrf);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'AUTH_REQUIRED') return undefined;
    throw e;
  }
}
