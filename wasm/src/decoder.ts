// Decoder stream: one media-core instance holding an RGBA framebuffer. Applies
// update messages; a message is checked and decoded completely before any of
// it is applied, so a rejected message throws CodecError and changes nothing.
// The stream may go on with the next message, though one was lost, so the
// picture is stale until a key frame: ask for one.

import { instantiateCore, type CompiledModule, type CoreExports } from './instance.ts';
import { CodecError } from './errors.ts';

export interface DecodeStats {
  tiles: number;
  copies: number;
  /** Pixels written by tiles and copies. */
  pixels: number;
}

export class Decoder {
  readonly width: number;
  readonly height: number;
  #core: CoreExports;

  constructor(module: CompiledModule, width: number, height: number) {
    this.width = width;
    this.height = height;
    this.#core = instantiateCore(module);
    const r = this.#core.decoderInit(width, height);
    if (r !== 0) throw new CodecError(r, 'decoder init');
  }

  /**
   * Applies one message (copied in; the caller keeps ownership). Throws
   * CodecError on a malformed message, leaving the framebuffer unchanged.
   */
  decode(message: Uint8Array): DecodeStats {
    const core = this.#core;
    const at = core.decoderMessageBuffer(message.length);
    if (at === 0) throw new CodecError(-12, 'decode');
    new Uint8Array(core.memory.buffer, at, message.length).set(message);
    const r = core.decodeMessage(message.length);
    if (r !== 0) throw new CodecError(r, 'decode');
    return { tiles: core.decodedTiles.value, copies: core.decodedCopies.value, pixels: core.decodedPixels.value };
  }

  /**
   * Borrowed view of the framebuffer: RGBA, row-major, width·height·4 bytes,
   * ready for ImageData. Valid until the next decode call (memory may grow).
   */
  framebufferView(): Uint8ClampedArray {
    return new Uint8ClampedArray(this.#core.memory.buffer, this.#core.decoderFramebuffer(), this.width * this.height * 4);
  }

  /** A copy of the framebuffer that the caller owns. */
  snapshot(): Uint8ClampedArray {
    return this.framebufferView().slice();
  }
}
