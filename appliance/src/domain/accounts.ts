/**
 * Users and teams as the domain sees them, and the rules that span records:
 * the last active administrator stays, team roles are one of three, names are
 * unique. Pure logic: no Node, uWS or LMDB imports.
 */

export const TEAM_ROLES = ['member', 'lead', 'manager'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface User {
  readonly id: string;
  username: string;
  displayName: string;
  /** May use the administration pages at /login beyond My Account. */
  admin: boolean;
  disabled: boolean;
  /** `scrypt$N$r$p$salt$hash`, see auth/password.ts. */
  passwordHash: string;
  readonly createdAt: number;
  /** Bumped on password reset and disable; sign-ins from before are void. */
  credentialEpoch: number;
}

/** A user as shown to other users and the browser: never carries the hash. */
export type PublicUser = Omit<User, 'passwordHash' | 'credentialEpoch'>;

export interface TeamMember {
  readonly userId: string;
  role: TeamRole;
}

export interface Team {
  readonly id: string;
  name: string;
  members: TeamMember[];
  readonly createdAt: number;
}

export function toPublicUser(u: User): PublicUser {
  const { passwordHash: _h, credentialEpoch: _e, ...rest } = u;
  return rest;
}

/** True when changing `target` to `next` would leave no enabled administrator among `all`. */
export function wouldRemoveLastAdmin(all: readonly User[], target: User, next: { admin: boolean; disabled: boolean }): boolean {
  const wasActiveAdmin = target.admin && !target.disabled;
  const staysActiveAdmin = next.admin && !next.disabled;
  if (!wasActiveAdmin || staysActiveAdmin) return false;
  return !all.some((u) => u.id !== target.id && u.admin && !u.disabled);
}

/** Minimum password length; long passphrases beat composition rules (NIST SP 800-63B). */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;
