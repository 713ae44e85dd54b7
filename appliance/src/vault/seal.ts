/**
 * Sealing vault secrets (F18) with AES-256-GCM: a fresh 12-byte nonce per
 * seal, the 16-byte tag checked on open, and the credential id as
 * associated data, so a sealed secret copied onto another record does not
 * open. What is stored is `{ v: 1, iv, tag, data }` in base64: no plaintext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Sealed {
  readonly v: 1;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

export function seal(key: Buffer, plaintext: string, boundTo: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Throws when the key is wrong, the data was altered or it belongs to another record. */
export function unseal(key: Buffer, sealed: Sealed, boundTo: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}
