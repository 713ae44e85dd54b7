// Decoder and encoder error codes returned by the media core, mapped to
// stable names. Numbers mirror wasm/assembly/format.ts (ERR_*).

export const CODEC_ERRORS = {
  [-1]: 'TRUNCATED',
  [-2]: 'VERSION',
  [-3]: 'HEADER',
  [-4]: 'SIZE',
  [-5]: 'COPY',
  [-6]: 'TILE_INDEX',
  [-7]: 'TILE_KIND',
  [-8]: 'TILE_BODY',
  [-9]: 'PALETTE',
  [-10]: 'LZ',
  [-11]: 'TRAILING',
  [-12]: 'MEMORY',
} as const satisfies Record<number, string>;

export type CodecErrorCode = (typeof CODEC_ERRORS)[keyof typeof CODEC_ERRORS] | 'UNKNOWN';

/** A message or parameter the media core rejected. */
export class CodecError extends Error {
  readonly code: CodecErrorCode;
  constructor(result: number, what: string) {
    const code: CodecErrorCode = (CODEC_ERRORS as Record<number, CodecErrorCode>)[result] ?? 'UNKNOWN';
    super(`${what}: ${code} (${result})`);
    this.name = 'CodecError';
    this.code = code;
  }
}
