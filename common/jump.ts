/**
 * Jump clients (F12, F13, F16): a customer client left installed on a
 * computer, so reps can reach it later without anyone there. A rep pins it
 * from a running session to their personal list or a team's; it then
 * connects to `/ws/jump` and waits. A rep who may see the item "jumps":
 * the appliance hands the jump client a one-time start token and it opens
 * an ordinary session with it, already owned by that rep.
 *
 * Shell Jump items (common/shell-jump.ts) share the list, the groups and
 * the visibility rules; they have no client and are always reachable
 * (the appliance connects when a rep jumps).
 */
import type { VncTarget } from './remote-vnc.ts';
import type { ShellJumpTarget } from './shell-jump.ts';
import type { Shape } from './validate.ts';
import { ID_PATTERN } from './validate.ts';

/** Who sees a jump item: the pinning rep alone, or every member of a team. */
export type JumpGroup = { kind: 'personal'; userId: string } | { kind: 'team'; teamId: string };

export interface JumpItem {
  id: string;
  name: string;
  /** `personal` (the rep's own list) or a team's name. */
  groupName: string;
  group: JumpGroup;
  /** A jump client (installed on the computer) or a Shell Jump (SSH through the appliance, F13). */
  method: 'jump_client' | 'shell_jump' | 'remote_vnc';
  /** Where a Shell Jump connects; absent for jump clients. */
  ssh?: ShellJumpTarget;
  /** Where a Remote VNC item connects (F13); absent for other methods. */
  vnc?: VncTarget;
  hostname: string;
  os: string;
  user: string;
  online: boolean;
  createdAt: number;
  createdBy: string;
  lastAccessed: number | null;
  /** The jump policy limiting when it may be used, if any (F15). */
  policyId: string | null;
  policyName: string | null;
  /** Whether the rep who receives this may remove the item and choose its policy. */
  canManage: boolean;
}

const SECRET = { kind: 'string', min: 20, max: 64, pattern: /^[A-Za-z0-9_-]+$/ } as const;

/** What a jump client sends on `/ws/jump`. */
export const JUMP_CLIENT_TO_APPLIANCE = {
  hello: {
    v: { kind: 'int', min: 0, max: 1_000_000 },
    jumpId: { kind: 'string', min: 22, max: 22, pattern: ID_PATTERN },
    secret: SECRET,
    hostname: { kind: 'string', max: 255, optional: true },
    os: { kind: 'string', max: 200, optional: true },
    user: { kind: 'string', max: 100, optional: true },
  },
  ping: { n: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } },
} as const satisfies Record<string, Shape>;

export type ApplianceToJumpClient =
  | { t: 'ready'; name: string }
  | { t: 'pong'; n: number }
  /** A rep jumped: start a session with this one-time token on /ws/customer. */
  | { t: 'start'; token: string; rep: string }
  /** The item was removed: uninstall and stop. */
  | { t: 'removed' }
  | { t: 'error'; code: string; message: string };
