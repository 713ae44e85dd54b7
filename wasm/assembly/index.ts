// Exports of the media core. Only this file exports; the modules beside it
// hold the code (format.ts has the message layout, layout.ts the memory map).
// One instance serves one stream, as an encoder or as a decoder.

export { encoderInit, encoderInput, encoderOutput, encoderSetMode, encoderSetLevel, encodeFrame, encoderDiffOnly,
         encoderTileMap, statChanged, statCopies, statCopiedTiles, statKinds } from './encoder';
export { setLossyQuality } from './lossy';
export { decoderInit, decoderFramebuffer, decoderMessageBuffer, decodeMessage,
         decodedTiles, decodedCopies, decodedPixels } from './decoder';
