/**
 * Decides where the client connects, whom it trusts and what it presents.
 * A build (embedded configuration present) connects only to its embedded
 * URL with its embedded CA and key pin: `--appliance` and `--ca` are refused
 * so no command line can make a build trust anything else. An unbuilt
 * template (development run) needs both flags. The credential is `--key` or
 * `--token` from the command line, else the token a per-session build
 * carries.
 */
import { readFileSync } from 'node:fs';
import type { PinnedTrust } from '../../../certs/pin.ts';
import type { EmbeddedConfig } from '../embedded.ts';
import { UsageError, type Flags } from './flags.ts';

export type Credential = { readonly key: string } | { readonly token: string };

export interface Target {
  /** wss:// origin of the appliance; the socket path is added by the transport. */
  readonly url: string;
  readonly trust: PinnedTrust;
  readonly credential: Credential;
  /** True for a downloaded build (it may delete itself when the session ends). */
  readonly built: boolean;
}

export function resolveTarget(flags: Flags, embedded: EmbeddedConfig | undefined, readFile: (file: string) => string = (f) => readFileSync(f, 'utf8')): Target {
  let url: string;
  let trust: PinnedTrust;
  if (embedded) {
    if (flags.appliance !== undefined || flags.ca !== undefined) {
      throw new UsageError(`this client was built for ${embedded.url} and trusts only that appliance; --appliance and --ca are for development runs`);
    }
    url = embedded.url;
    trust = embedded.serverSpkiSha256 ? { caPem: embedded.caPem, serverSpkiSha256: embedded.serverSpkiSha256 } : { caPem: embedded.caPem };
  } else {
    if (flags.appliance === undefined || flags.ca === undefined) {
      throw new UsageError('this is an unbuilt client: give --appliance wss://HOST:PORT and --ca FILE, or download the client from your appliance');
    }
    url = flags.appliance;
    let caPem: string;
    try {
      caPem = readFile(flags.ca);
    } catch (err) {
      throw new UsageError(`cannot read --ca ${flags.ca}: ${(err as Error).message}`);
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${flags.ca} is not a PEM certificate`);
    trust = { caPem };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`not a valid address: ${url}`);
  }
  // TLS only (F3): there is no ws:// path.
  if (parsed.protocol !== 'wss:') throw new UsageError(`the appliance address must start with wss:// (got ${url})`);
  const credential: Credential | undefined =
    flags.key !== undefined ? { key: flags.key } : flags.token !== undefined ? { token: flags.token } : embedded?.token ? { token: embedded.token } : undefined;
  if (!credential) throw new UsageError('give the session key from your representative: --key DIGITS');
  return { url: `wss://${parsed.host}`, trust, credential, built: embedded !== undefined };
}
