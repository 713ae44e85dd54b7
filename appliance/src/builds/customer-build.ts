/**
 * Customer-client builds (F34). `npm run build` bundles `client/src/main.ts`
 * with its dependencies into one file, `dist/client/relaydesk-client.mjs`,
 * holding the placeholder `"__RELAYDESK_EMBED__"` exactly once. A build for
 * this appliance is that template with the placeholder replaced by a JSON
 * string of { url, caPem, serverSpkiSha256, token? }: byte-for-byte
 * reproducible from the same template and settings, so its SHA-256 can be
 * published on the portal and checked by anyone.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

export const EMBED_PLACEHOLDER = '"__RELAYDESK_EMBED__"';
export const CLIENT_FILE_NAME = 'relaydesk-client.mjs';

/** What a build embeds; the client reads it as its only trust anchor and address. */
export interface EmbeddedConfig {
  /** wss:// origin of this appliance. */
  readonly url: string;
  readonly caPem: string;
  readonly serverSpkiSha256: string;
  /** Access token of one session key or start link, for a per-session build. */
  readonly token?: string;
}

export interface Build {
  readonly bytes: Buffer;
  readonly sha256: string;
}

export class CustomerBuilds {
  private template: string | undefined;
  private generic: Build | undefined;

  constructor(
    private readonly templateFile: string,
    private readonly base: Omit<EmbeddedConfig, 'token'>,
  ) {}

  available(): boolean {
    return existsSync(this.templateFile);
  }

  private load(): string {
    if (this.template === undefined) {
      const text = readFileSync(this.templateFile, 'utf8');
      const count = text.split(EMBED_PLACEHOLDER).length - 1;
      if (count !== 1) throw new Error(`client template ${this.templateFile} has ${count} embed placeholders; expected 1`);
      this.template = text;
    }
    return this.template;
  }

  /** The build for `token`, or the generic one (cached) without a token. */
  build(token?: string): Build {
    if (!token && this.generic) return this.generic;
    const config: EmbeddedConfig = token ? { ...this.base, token } : this.base;
    const bytes = Buffer.from(this.load().replace(EMBED_PLACEHOLDER, JSON.stringify(JSON.stringify(config))));
    const build = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    if (!token) this.generic = build;
    return build;
  }
}
