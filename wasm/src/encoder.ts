// Encoder stream: one media-core instance holding the previous frame. Takes
// raw RGBA or BGRX frames (4 bytes a pixel; rows packed, or any row stride
// through encode()) and returns one update message per frame
// (wasm/FORMAT.md).

import { instantiateCore, type CompiledModule, type CoreExports } from './instance.ts';
import { CodecError } from './errors.ts';
import { COLOUR_MODES, DEFAULT_LEVEL, DEFAULT_TILE_SIZE, LEVELS, VIDEO_TILE_SIZE, type ColourMode, type Level } from './modes.ts';

export type PixelFormat = 'rgba' | 'bgrx';

export interface EncoderOptions {
  width: number;
  height: number;
  mode?: ColourMode;
  /** Square tile edge in px: 16, 32, 64 or 128. */
  tileSize?: number;
  /** Full-colour effort, default 'fast' (modes.ts LEVELS). */
  level?: Level;
}

export interface EncodeOptions {
  /** Send every tile (a viewer joined or asked for one). */
  keyFrame?: boolean;
  /** Pixel order of the input; a change of format forces a key frame. */
  format?: PixelFormat;
  /** Look for scrolled and moved content (default true). */
  motion?: boolean;
  /**
   * encodeInput() only, a benchmark hook: use the tile map of the diffOnly()
   * call made on this input instead of diffing again, so the diff and the
   * rest of the encode can be timed apart. Without such a call it diffs.
   */
  afterDiff?: boolean;
  /**
   * encode() only: bytes from one row of `frame` to the next, for a capture
   * buffer with padded rows (default width·4, rows packed). The rows are
   * copied into the instance packed.
   */
  stride?: number;
}

export const TILE_KINDS = ['solid', 'packed', 'rle', 'lz', 'raw', 'lossy', 'context', 'predict', 'photo'] as const;
export type TileKind = (typeof TILE_KINDS)[number];

export interface EncodeStats {
  bytes: number;
  changedTiles: number;
  /** Copy records (scrolled or moved regions). */
  copies: number;
  /** Changed tiles that a copy record covered instead of pixel data. */
  copiedTiles: number;
  tiles: Record<TileKind, number>;
}

const FLAG_KEY = 1;
const FLAG_BGRX = 2;
const FLAG_NO_MOTION = 4;
const FLAG_AFTER_DIFF = 8;

export class Encoder {
  readonly width: number;
  readonly height: number;
  readonly tileSize: number;
  #mode: ColourMode;
  #level: Level = DEFAULT_LEVEL;
  #core: CoreExports;
  #keyRequested = false;
  #stats: EncodeStats | undefined;

  constructor(module: CompiledModule, options: EncoderOptions) {
    this.width = options.width;
    this.height = options.height;
    this.#mode = options.mode ?? 'full-colour';
    this.tileSize = options.tileSize ?? (this.#mode === 'video-optimised' ? VIDEO_TILE_SIZE : DEFAULT_TILE_SIZE);
    const log2 = Math.log2(this.tileSize);
    if (!Number.isInteger(log2)) throw new RangeError(`tile size ${this.tileSize} is not a power of two`);
    this.#core = instantiateCore(module);
    const r = this.#core.encoderInit(this.width, this.height, log2, COLOUR_MODES[this.#mode]);
    if (r !== 0) throw new CodecError(r, 'encoder init');
    this.setLevel(options.level ?? DEFAULT_LEVEL);
  }

  get level(): Level {
    return this.#level;
  }

  /** Full-colour effort from the next frame on; no key frame needed. */
  setLevel(level: Level): void {
    const r = this.#core.encoderSetLevel(LEVELS[level]);
    if (r !== 0) throw new CodecError(r, 'set level');
    this.#level = level;
  }

  get mode(): ColourMode {
    return this.#mode;
  }

  /** Switches colour mode; the next message is a key frame. */
  setMode(mode: ColourMode): void {
    const r = this.#core.encoderSetMode(COLOUR_MODES[mode]);
    if (r !== 0) throw new CodecError(r, 'set mode');
    this.#mode = mode;
  }

  /**
   * Video-optimised quantiser: each luma / chroma sample is kept within
   * ±deltaY / ±deltaC of the source (before chroma subsampling). Larger is
   * fewer bytes. Applies from the next frame.
   */
  setQuality(deltaY: number, deltaC: number): void {
    this.#core.setLossyQuality(deltaY, deltaC);
  }

  /** The next message will carry every tile. */
  requestKeyFrame(): void {
    this.#keyRequested = true;
  }

  /**
   * Borrowed view of the instance's input buffer (width·height·4 bytes): a
   * capture source may write the next frame here and call encodeInput(),
   * saving a copy. Valid only until the next encode call.
   */
  inputBuffer(): Uint8Array {
    return new Uint8Array(this.#core.memory.buffer, this.#core.encoderInput(), this.width * this.height * 4);
  }

  /** Encodes a frame; returns a new message (the caller owns it). */
  encode(frame: Uint8Array | Uint8ClampedArray, options: EncodeOptions = {}): Uint8Array {
    const rowBytes = this.width * 4;
    const stride = options.stride ?? rowBytes;
    if (!Number.isInteger(stride) || stride < rowBytes) throw new RangeError(`stride ${stride} is below width·4 = ${rowBytes}`);
    const need = stride * (this.height - 1) + rowBytes;
    // Packed frames must match exactly; padded ones may omit the last row's padding.
    if (stride === rowBytes ? frame.length !== need : frame.length < need) {
      throw new RangeError(`frame has ${frame.length} bytes, expected ${stride === rowBytes ? '' : 'at least '}${need}`);
    }
    const input = this.inputBuffer();
    if (stride === rowBytes) {
      input.set(frame);
    } else {
      for (let y = 0; y < this.height; y++) input.set(frame.subarray(y * stride, y * stride + rowBytes), y * rowBytes);
    }
    return this.encodeInput(options);
  }

  /** Encodes the frame already written into inputBuffer(). */
  encodeInput(options: EncodeOptions = {}): Uint8Array {
    let flags = 0;
    if (options.keyFrame || this.#keyRequested) flags |= FLAG_KEY;
    if (options.format === 'bgrx') flags |= FLAG_BGRX;
    if (options.motion === false) flags |= FLAG_NO_MOTION;
    if (options.afterDiff) flags |= FLAG_AFTER_DIFF;
    this.#keyRequested = false;
    const core = this.#core;
    const len = core.encodeFrame(flags);
    const message = new Uint8Array(core.memory.buffer, core.encoderOutput(), len).slice();
    const kinds = new Int32Array(core.memory.buffer, core.statKinds.value, TILE_KINDS.length);
    const tiles = {} as Record<TileKind, number>;
    TILE_KINDS.forEach((k, i) => { tiles[k] = kinds[i] ?? 0; });
    this.#stats = { bytes: len, changedTiles: core.statChanged.value, copies: core.statCopies.value, copiedTiles: core.statCopiedTiles.value, tiles };
    return message;
  }

  /** Statistics of the last encode call. */
  get lastStats(): EncodeStats | undefined {
    return this.#stats;
  }

  /**
   * Benchmark hook: diffs the frame in inputBuffer() against the previous one
   * and returns the changed-tile map (borrowed view), without encoding.
   */
  diffOnly(): { changed: number; map: Uint8Array } {
    const changed = this.#core.encoderDiffOnly();
    const tiles = Math.ceil(this.width / this.tileSize) * Math.ceil(this.height / this.tileSize);
    return { changed, map: new Uint8Array(this.#core.memory.buffer, this.#core.encoderTileMap(), tiles) };
  }
}
