/**
 * Special actions (F22 item 6): commands an administrator defines once
 * (reboot, shutdown, scripts), offered to reps with the `specialActions`
 * permission in a session's menu, confirmed, then run by the customer client
 * with the customer's consent (`/bin/sh -c`, elevated ones through
 * `sudo -n`), with a time limit. The result (outcome, exit code, the last
 * 4 KiB of output) comes back to the console and the session's event log.
 * Portable: no DOM, no Node.
 */
import { ID_PATTERN, type Shape } from './validate.ts';

export interface SpecialAction {
  id: string;
  name: string;
  /** Passed to `/bin/sh -c` on the remote system. */
  command: string;
  /** Run as root: directly when the client runs as root, else through `sudo -n`. */
  elevated: boolean;
  description: string;
  createdAt: number;
}

/** What a rep's console sees of an action: no command line needed to pick one, but shown in the confirmation. */
export type SpecialActionInfo = Pick<SpecialAction, 'id' | 'name' | 'command' | 'elevated' | 'description'>;

/**
 * How a run ended: `done` the command ran and exited (see exitCode);
 * `refused` the customer said no; `timeout` it was stopped at the time limit;
 * `failed` it could not run (no elevation without a password, no shell…).
 */
export const SPECIAL_ACTION_OUTCOMES = ['done', 'refused', 'timeout', 'failed'] as const;
export type SpecialActionOutcome = (typeof SPECIAL_ACTION_OUTCOMES)[number];

export const MAX_ACTION_NAME = 100;
export const MAX_ACTION_COMMAND = 4000;
export const MAX_ACTION_DESCRIPTION = 500;
/** Output kept from a run: its last 4 KiB. */
export const MAX_ACTION_OUTPUT_BYTES = 4096;
/** A run is stopped after 5 minutes. */
export const SPECIAL_ACTION_TIMEOUT_MS = 5 * 60_000;
/** At most this many actions are defined. */
export const MAX_SPECIAL_ACTIONS = 200;

/** The admin API's body for creating or replacing an action. */
export const SPECIAL_ACTION_BODY = {
  name: { kind: 'string', min: 1, max: MAX_ACTION_NAME, pattern: /\S/ },
  command: { kind: 'string', min: 1, max: MAX_ACTION_COMMAND, pattern: /\S/ },
  elevated: { kind: 'bool' },
  description: { kind: 'string', max: MAX_ACTION_DESCRIPTION },
} as const satisfies Shape;

/** Predefined on a new appliance (migration); an administrator may edit or delete them. */
export const BUILT_IN_ACTIONS: ReadonlyArray<Omit<SpecialAction, 'id' | 'createdAt'>> = [
  { name: 'Reboot', command: 'systemctl reboot', elevated: true, description: 'Restart the remote computer.' },
  { name: 'Shut down', command: 'systemctl poweroff', elevated: true, description: 'Turn the remote computer off.' },
];

export const RUN_ID_PATTERN = ID_PATTERN;
