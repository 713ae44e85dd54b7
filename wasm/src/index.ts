// Public entry of the media core for Node and the browser. Load the .wasm
// bytes however the platform does (fetch, fs) or pass a compiled module, then
// make one encoder or decoder per stream.
//
//   const core = await loadMediaCore(bytesOrModule);
//   const enc = core.createEncoder({ width, height, mode: 'full-colour' });
//   const msg = enc.encode(rgbaFrame);            // Uint8Array, owned
//   const dec = core.createDecoder(width, height);
//   dec.decode(msg); ctx.putImageData(new ImageData(dec.framebufferView(), width, height), 0, 0);

import { compileCore, type CompiledModule } from './instance.ts';
import { Encoder, type EncoderOptions } from './encoder.ts';
import { Decoder } from './decoder.ts';

export { Encoder, TILE_KINDS } from './encoder.ts';
export type { EncoderOptions, EncodeOptions, EncodeStats, PixelFormat, TileKind } from './encoder.ts';
export { Decoder } from './decoder.ts';
export type { DecodeStats } from './decoder.ts';
export { CodecError, CODEC_ERRORS } from './errors.ts';
export type { CodecErrorCode } from './errors.ts';
export { COLOUR_MODES, MODE_NAMES, DEFAULT_TILE_SIZE, VIDEO_TILE_SIZE, LEVELS, DEFAULT_LEVEL, isLossless } from './modes.ts';
export type { ColourMode, Level } from './modes.ts';
export type { CompiledModule } from './instance.ts';

/** Message format version this build writes and accepts (byte 0 of every message). */
export const FORMAT_VERSION = 4;

export interface MediaCore {
  readonly module: CompiledModule;
  createEncoder(options: EncoderOptions): Encoder;
  createDecoder(width: number, height: number): Decoder;
}

/** Compiles (or adopts) the media core; the same bytes work in Node and browsers. */
export async function loadMediaCore(source: ArrayBufferView | ArrayBuffer | CompiledModule): Promise<MediaCore> {
  const module = await compileCore(source);
  return {
    module,
    createEncoder: (options) => new Encoder(module, options),
    createDecoder: (width, height) => new Decoder(module, width, height),
  };
}
