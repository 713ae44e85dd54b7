/**
 * The vault's master key (F18): 32 bytes for AES-256-GCM, kept outside the
 * LMDB store so that a copy of the data folder alone reveals no secret.
 *
 * Where it comes from, first match wins:
 * 1. `RELAYDESK_VAULT_KEY`: the key itself, base64 or base64url of 32 bytes
 *    (or 64 hex digits); nothing is written to disk;
 * 2. the key file `RELAYDESK_VAULT_KEY_FILE`, by default `<data>.vault.key`
 *    beside the data folder (so `/var/lib/relaydesk/data` uses
 *    `/var/lib/relaydesk/data.vault.key`): created on the first secret
 *    stored, mode 0600, exclusively (two starts never make two keys).
 * A key of the wrong length is refused at use with a clear message; losing
 * the key loses the stored secrets (they are not recoverable without it).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const VAULT_KEY_ENV = 'RELAYDESK_VAULT_KEY';
export const VAULT_KEY_FILE_ENV = 'RELAYDESK_VAULT_KEY_FILE';

function decodeKey(text: string, where: string): Buffer {
  const s = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes (base64 or 64 hex digits), got ${key.length}`);
  return key;
}

export class VaultKey {
  private key: Buffer | undefined;
  readonly file: string;

  constructor(dataDir: string, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.file = env[VAULT_KEY_FILE_ENV] || `${path.resolve(dataDir)}.vault.key`;
  }

  /** Where the key comes from, for the status log (never the key). */
  get source(): string {
    return this.env[VAULT_KEY_ENV] ? VAULT_KEY_ENV : this.file;
  }

  /** The key; with `create`, a missing key file is made (0600). Throws when there is none. */
  get(create: boolean): Buffer {
    if (this.key) return this.key;
    const fromEnv = this.env[VAULT_KEY_ENV];
    if (fromEnv) return (this.key = decodeKey(fromEnv, VAULT_KEY_ENV));
    try {
      const text = readFileSync(this.file, 'utf8');
      if ((statSync(this.file).mode & 0o077) !== 0) chmodSync(this.file, 0o600);
      return (this.key = decodeKey(text, this.file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw err;
    }
    try {
      writeFileSync(this.file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return this.get(false);
  }
}
