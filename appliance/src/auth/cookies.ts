/**
 * Sign-in cookies. `__Host-` names force Secure, Path=/ and no Domain in the
 * browser; HttpOnly keeps them from scripts; SameSite=Strict keeps them off
 * cross-site requests. One cookie per kind of sign-in.
 */
import type { AuthKind } from '../store/auth-sessions.ts';

export const COOKIE_NAMES: Record<AuthKind, string> = {
  web: '__Host-rd_web',
  console: '__Host-rd_console',
};

export function setCookie(kind: AuthKind, token: string, maxAgeSeconds: number): readonly [string, string] {
  return ['Set-Cookie', `${COOKIE_NAMES[kind]}=${token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`];
}

export function clearCookie(kind: AuthKind): readonly [string, string] {
  return ['Set-Cookie', `${COOKIE_NAMES[kind]}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`];
}
