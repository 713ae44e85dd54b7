/**
 * Installing a jump client (F16) when a rep pins this computer: the client
 * copies its own file into a private folder with a configuration that holds
 * the jump item's id and secret (mode 0600), then starts that copy in jump
 * mode, detached, so it outlives this session. The folder is
 * `$XDG_DATA_HOME/relaydesk/jump` (default `~/.local/share/relaydesk/jump`),
 * or `--jump-dir`. Starting it at boot is left to the system (a systemd user
 * unit running the printed command).
 *
 * Uninstalling removes that folder; the jump client does it itself when its
 * item is removed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PinnedTrust } from '../../../certs/pin.ts';

export interface JumpConfig {
  readonly v: 1;
  readonly jumpId: string;
  readonly secret: string;
  readonly name: string;
  /** wss:// origin of the appliance. */
  readonly url: string;
  readonly trust: PinnedTrust;
  readonly installedAt: number;
}

export const CONFIG_FILE = 'jump.json';
export const CLIENT_FILE = 'relaydesk-client.mjs';
export const PID_FILE = 'jump.pid';
export const LOG_FILE = 'jump.log';

export function defaultJumpDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'relaydesk', 'jump');
}

export function readJumpConfig(file: string): JumpConfig {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<JumpConfig>;
  const ok =
    value.v === 1 &&
    typeof value.jumpId === 'string' &&
    typeof value.secret === 'string' &&
    typeof value.name === 'string' &&
    typeof value.url === 'string' &&
    value.url.startsWith('wss://') &&
    typeof value.trust?.caPem === 'string';
  if (!ok) throw new Error(`${file} is not a jump client configuration`);
  return value as JumpConfig;
}

export interface Installed {
  readonly dir: string;
  readonly command: string;
  readonly pid: number | undefined;
}

/**
 * Copies `selfFile` and writes the configuration into `dir`, then starts
 * the copy detached (unless `start` is false). A jump client already in
 * `dir` is replaced: one computer, one jump client per folder.
 */
export function installJumpClient(selfFile: string, dir: string, config: JumpConfig, start = true): Installed {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  stopJumpClient(dir);
  const client = path.join(dir, CLIENT_FILE);
  copyFileSync(selfFile, client);
  chmodSync(client, 0o700);
  const configFile = path.join(dir, CONFIG_FILE);
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const command = `${process.execPath} ${client} --jump ${configFile}`;
  if (!start) return { dir, command, pid: undefined };
  const log = openSync(path.join(dir, LOG_FILE), 'a', 0o600);
  const child = spawn(process.execPath, [client, '--jump', configFile], { detached: true, stdio: ['ignore', log, log], cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } });
  child.unref();
  if (child.pid) writeFileSync(path.join(dir, PID_FILE), `${child.pid}\n`, { mode: 0o600 });
  return { dir, command, pid: child.pid };
}

/** Stops a running jump client of `dir` (by its pid file), if any. */
export function stopJumpClient(dir: string): void {
  const pidFile = path.join(dir, PID_FILE);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  rmSync(pidFile, { force: true });
}

/** Removes the jump client's folder (configuration, copy, log). */
export function uninstallJumpClient(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
