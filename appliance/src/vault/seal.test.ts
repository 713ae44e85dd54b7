/**
 * Vault sealing and key handling: a sealed secret opens only with its key
 * and its own record id, tampering is detected, the key file is made once
 * (0600, beside the data folder) and an environment key of the wrong size
 * is refused.
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { VaultKey } from './key.ts';
import { seal, unseal } from './seal.ts';

t.test('seal and unseal', async (t) => {
  const key = randomBytes(32);
  const sealed = seal(key, 'correct horse battery staple', 'cred-1');
  t.notOk(JSON.stringify(sealed).includes('horse'), 'no plaintext in the sealed form');
  t.equal(unseal(key, sealed, 'cred-1'), 'correct horse battery staple');
  t.not(seal(key, 'same', 'x').iv, seal(key, 'same', 'x').iv, 'a fresh nonce each time');
  t.throws(() => unseal(key, sealed, 'cred-2'), 'bound to its record');
  t.throws(() => unseal(randomBytes(32), sealed, 'cred-1'), 'another key does not open it');
  const data = Buffer.from(sealed.data, 'base64');
  data[0]! ^= 1;
  t.throws(() => unseal(key, { ...sealed, data: data.toString('base64') }, 'cred-1'), 'tampering is detected');
});

t.test('the key file is created once, 0600, beside the data folder', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-vault-key-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = path.join(dir, 'data');
  const k = new VaultKey(data, {});
  t.equal(k.file, `${data}.vault.key`);
  t.throws(() => k.get(false), { code: 'ENOENT' }, 'not made just by reading');
  const key = k.get(true);
  t.equal(key.length, 32);
  t.equal(statSync(k.file).mode & 0o777, 0o600);
  t.same(new VaultKey(data, {}).get(true), key, 'a second start reads the same key');
  chmodSync(k.file, 0o644);
  t.same(new VaultKey(data, {}).get(false), key);
  t.equal(statSync(k.file).mode & 0o777, 0o600, 'a key file readable by others is made private again');
});

t.test('RELAYDESK_VAULT_KEY wins and must be 32 bytes', async (t) => {
  const raw = randomBytes(32);
  t.same(new VaultKey('/nonexistent/data', { RELAYDESK_VAULT_KEY: raw.toString('base64') }).get(true), raw);
  t.same(new VaultKey('/nonexistent/data', { RELAYDESK_VAULT_KEY: raw.toString('hex') }).get(true), raw);
  t.throws(() => new VaultKey('/nonexistent/data', { RELAYDESK_VAULT_KEY: 'c2hvcnQ=' }).get(true), /32 bytes/);
});
