/**
 * Credential providers (F19): where the appliance gets the credentials it
 * injects into a Shell Jump's SSH login without showing them to the rep.
 * The built-in LMDB vault (vault/vault.ts) is one provider; an external one
 * (a password safe, a secrets manager) plugs in as a module named by
 * `RELAYDESK_VAULT_PROVIDER` (a file path or package name) whose default
 * export is a provider object or a function returning one (sync or async).
 * docs/VAULT.md describes the contract with an example.
 *
 * Contract:
 * - `id`: lowercase letters, digits and `-` (1–20), not `vault`. Its
 *   credentials appear to reps as `<id>:<credential id>` (the credential id
 *   of letters, digits, `_`, `.`, `-`, at most 100).
 * - `list(ctx)`: the credentials the rep `ctx.userId` may use, never a
 *   secret; when `ctx.host` is given, only those meant for that host.
 * - `get(id, ctx)`: the secret for one of them, checked again for that rep
 *   and host; it refuses by throwing an error whose `code` is VAULT_UNKNOWN
 *   or VAULT_NOT_FOR_ITEM (the rep sees that code); any other failure
 *   shows as VAULT_PROVIDER.
 * - Both may be slow (network); the appliance waits at most
 *   PROVIDER_TIMEOUT_MS. Secrets are used for one login and dropped; they
 *   are never stored, logged or sent to a browser. Check-out/check-in is
 *   the built-in vault's; an external provider keeps its own rules.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';

export const VAULT_PROVIDER_ENV = 'RELAYDESK_VAULT_PROVIDER';
/** An external provider must answer within 10 s. */
export const PROVIDER_TIMEOUT_MS = 10_000;
export const PROVIDER_ID_PATTERN = /^[a-z0-9-]{1,20}$/;
export const PROVIDER_CREDENTIAL_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

/** Who asks, and for which host. */
export interface ProviderContext {
  userId: string;
  username: string;
  admin: boolean;
  /** Ids of the teams the rep belongs to. */
  teamIds: string[];
  /** The SSH host of the jump item, when the question is about one. */
  host?: string;
}

/** A credential as a rep may see it: never the secret. */
export interface ProviderCredential {
  id: string;
  name: string;
  username: string;
  kind: 'password' | 'private_key';
  description: string;
}

/** What is injected into one login. */
export interface ProviderSecret {
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

export interface CredentialProvider {
  readonly id: string;
  list(ctx: ProviderContext): Promise<ProviderCredential[]>;
  get(id: string, ctx: ProviderContext): Promise<ProviderSecret>;
}

/** Loads the external provider module; throws with a clear message when it does not fit the contract. */
export async function loadProvider(spec: string): Promise<CredentialProvider> {
  const target = spec.startsWith('.') || path.isAbsolute(spec) ? pathToFileURL(path.resolve(spec)).href : spec;
  const mod = (await import(target)) as { default?: unknown };
  let p = mod.default;
  if (typeof p === 'function') p = await (p as () => unknown)();
  const provider = p as Partial<CredentialProvider> | undefined;
  if (!provider || typeof provider.list !== 'function' || typeof provider.get !== 'function' || typeof provider.id !== 'string') {
    throw new Error(`${VAULT_PROVIDER_ENV}=${spec}: the default export must be a provider { id, list(ctx), get(id, ctx) } or a function returning one`);
  }
  if (!PROVIDER_ID_PATTERN.test(provider.id) || provider.id === 'vault') throw new Error(`${VAULT_PROVIDER_ENV}: provider id must match ${PROVIDER_ID_PATTERN} and not be "vault"`);
  return provider as CredentialProvider;
}

/** Runs a provider call with the time limit. */
export function withTimeout<T>(p: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('credential provider timed out')), PROVIDER_TIMEOUT_MS);
    timer.unref();
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}
