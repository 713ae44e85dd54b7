// The media core's .wasm, embedded into the client bundle as bytes
// (scripts/build.mjs sets esbuild's `binary` loader for .wasm).
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
