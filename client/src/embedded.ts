/**
 * What the appliance embeds into a customer build (see
 * appliance/src/builds/customer-build.ts): its address, its CA and server
 * key pin, and for a per-session build the access token. The template keeps
 * the placeholder string below; a build replaces it with a JSON string.
 */

export interface EmbeddedConfig {
  /** wss:// origin of the appliance. */
  readonly url: string;
  readonly caPem: string;
  readonly serverSpkiSha256: string;
  readonly token?: string;
}

// Replaced byte-for-byte by the appliance: keep it a plain double-quoted literal.
const RAW: string = "__RELAYDESK_EMBED__";

/** The embedded configuration, or undefined in an unbuilt template (development runs). */
export function embeddedConfig(): EmbeddedConfig | undefined {
  if (RAW.startsWith('__RELAYDESK')) return undefined;
  const value = JSON.parse(RAW) as EmbeddedConfig;
  if (typeof value.url !== 'string' || typeof value.caPem !== 'string') throw new Error('damaged build: embedded configuration is invalid');
  return value;
}
