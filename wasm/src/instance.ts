// Loading the media core: compiles the .wasm bytes once and makes one
// instance per stream. Uses only the WebAssembly global that Node and browsers
// share, typed locally so this file needs neither DOM nor Node typings.

/** A compiled WebAssembly.Module (opaque here). */
export type CompiledModule = object;

/** The raw exports of one media-core instance (wasm/assembly/index.ts). */
export interface CoreExports {
  memory: { buffer: ArrayBuffer };
  encoderInit(w: number, h: number, tileLog2: number, mode: number): number;
  encoderInput(): number;
  encoderOutput(): number;
  encoderSetMode(mode: number): number;
  encoderSetLevel(level: number): number;
  encodeFrame(flags: number): number;
  encoderDiffOnly(): number;
  encoderTileMap(): number;
  setLossyQuality(deltaY: number, deltaC: number): void;
  statChanged: { value: number };
  statCopies: { value: number };
  statCopiedTiles: { value: number };
  statKinds: { value: number };
  decoderInit(w: number, h: number): number;
  decoderFramebuffer(): number;
  decoderMessageBuffer(len: number): number;
  decodeMessage(len: number): number;
  decodedTiles: { value: number };
  decodedCopies: { value: number };
  decodedPixels: { value: number };
}

interface WasmNamespace {
  Module: new (bytes: ArrayBufferView | ArrayBuffer) => CompiledModule;
  Instance: new (module: CompiledModule, imports: object) => { exports: unknown };
  compile(bytes: ArrayBufferView | ArrayBuffer): Promise<CompiledModule>;
}

const wasm = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;

/** Compiles media-core bytes; a module passed in is returned as it is. */
export async function compileCore(source: ArrayBufferView | ArrayBuffer | CompiledModule): Promise<CompiledModule> {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return wasm.compile(source);
  return source;
}

/** Compiles synchronously (fine in Node and workers; browsers limit the main thread to 4 KB). */
export function compileCoreSync(source: ArrayBufferView | ArrayBuffer): CompiledModule {
  return new wasm.Module(source);
}

/** A fresh instance with its own memory; instantiating a compiled module is cheap. */
export function instantiateCore(module: CompiledModule): CoreExports {
  return new wasm.Instance(module, {}).exports as CoreExports;
}
