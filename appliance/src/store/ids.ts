/** Record ids: 16 random bytes as base64url (22 characters), matching common/validate ID_PATTERN. */
import { randomBytes } from 'node:crypto';

export function newId(): string {
  return randomBytes(16).toString('base64url');
}
