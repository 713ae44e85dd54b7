/**
 * Which program a command shell runs and with what environment: the login
 * shell of the user running the client (the passwd entry, else $SHELL, else
 * /bin/sh), started as a login shell so the customer's profile applies, in
 * the user's home folder, with TERM=xterm-256color because the console side
 * is xterm.js.
 */
import { accessSync, constants } from 'node:fs';
import os from 'node:os';

export interface ShellProgram {
  readonly file: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
}

/** The terminal type the console's xterm.js emulates. */
export const SHELL_TERM = 'xterm-256color';

function executable(file: string | undefined): file is string {
  if (!file || !file.startsWith('/')) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function loginShell(env: NodeJS.ProcessEnv = process.env): ShellProgram {
  let info: os.UserInfo<string> | undefined;
  try {
    info = os.userInfo();
  } catch {
    info = undefined;
  }
  const candidates = [info?.shell ?? undefined, env.SHELL, '/bin/sh'];
  const file = candidates.find(executable) ?? '/bin/sh';
  const home = info?.homedir || env.HOME || os.homedir();
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
  // Variables of the client's own Node process mean nothing to the customer's shell.
  delete clean.NODE_OPTIONS;
  return {
    file,
    // A dash-less "-l" works for bash, zsh, dash, ksh and fish alike.
    args: ['-l'],
    cwd: home,
    env: { ...clean, TERM: SHELL_TERM, COLORTERM: 'truecolor', HOME: home, SHELL: file, ...(info?.username ? { USER: info.username, LOGNAME: info.username } : {}) },
  };
}
