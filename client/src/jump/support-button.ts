/**
 * Installing a support button (F25): when a rep leaves one, the client
 * copies itself into a private folder with a small launcher script that
 * starts a session with the button's token (reusable, revocable) and, where
 * the desktop has one, a menu entry (`.desktop` file) for it. Clicking it
 * later lands the customer straight in the button's queue. A launcher whose
 * button was removed or expired uninstalls itself when clicked.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLIENT_FILE = 'relaydesk-client.mjs';
export const LAUNCHER = 'support.sh';
/** The button's id, so uninstalling finds its menu entry whatever the folder is called. */
const ID_FILE = 'button.id';

function dataHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
}

export function defaultButtonDir(buttonId: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataHome(env), 'relaydesk', `button-${buttonId.replace(/[^A-Za-z0-9_-]/g, '')}`);
}

function desktopEntry(buttonId: string, env: NodeJS.ProcessEnv): string {
  return path.join(dataHome(env), 'applications', `relaydesk-support-${buttonId.replace(/[^A-Za-z0-9_-]/g, '')}.desktop`);
}

/** Single-quotes for sh: the launcher must run the same whatever the paths contain. */
function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function installSupportButton(selfFile: string, dir: string, b: { buttonId: string; token: string; description: string }, env: NodeJS.ProcessEnv = process.env): { dir: string; launcher: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const client = path.join(dir, CLIENT_FILE);
  copyFileSync(selfFile, client);
  chmodSync(client, 0o700);
  writeFileSync(path.join(dir, ID_FILE), `${b.buttonId}\n`, { mode: 0o600 });
  const launcher = path.join(dir, LAUNCHER);
  // The token is the button: it lives in this private (0700) folder only.
  writeFileSync(launcher, `#!/bin/sh\n# RelayDesk support button: ${b.description.replace(/[\r\n]/g, ' ')}\nexec ${sh(process.execPath)} ${sh(client)} --token ${sh(b.token)} --keep --button ${sh(dir)} "$@"\n`, { mode: 0o700 });
  chmodSync(launcher, 0o700);
  const entry = desktopEntry(b.buttonId, env);
  try {
    mkdirSync(path.dirname(entry), { recursive: true });
    const name = b.description.replace(/[\r\n]/g, ' ').slice(0, 100);
    writeFileSync(entry, `[Desktop Entry]\nType=Application\nName=${name}\nComment=Get help from your support team\nExec=${launcher}\nTerminal=true\nCategories=Utility;\n`, { mode: 0o600 });
  } catch {
    // No desktop menu on this computer: the launcher script is enough.
  }
  return { dir, launcher };
}

/** Removes the button's folder and its menu entry. */
export function uninstallSupportButton(dir: string, env: NodeJS.ProcessEnv = process.env): void {
  let id = '';
  try {
    id = readFileSync(path.join(dir, ID_FILE), 'utf8').trim();
  } catch {
    // No id file: an incomplete install; the folder goes all the same.
  }
  if (/^[A-Za-z0-9_-]{1,64}$/.test(id)) rmSync(desktopEntry(id, env), { force: true });
  if (existsSync(path.join(dir, LAUNCHER))) rmSync(dir, { recursive: true, force: true });
}
