// Baseline compressors run on the same changed tiles as the media core:
// zlib deflate 1 and 6, brotli quality 1, zstd level 1 (WASM build) and lz4.

import zlib from 'node:zlib';
import * as lz4 from 'lz4-napi';
import { init as zstdInit, compress as zstdCompress } from '@bokuweb/zstd-wasm';

export interface Baseline {
  name: string;
  compress(data: Buffer): number;
}

export async function baselines(): Promise<Baseline[]> {
  await zstdInit();
  return [
    { name: 'deflate-1', compress: (d) => zlib.deflateRawSync(d, { level: 1 }).length },
    { name: 'deflate-6', compress: (d) => zlib.deflateRawSync(d, { level: 6 }).length },
    { name: 'brotli-1', compress: (d) => zlib.brotliCompressSync(d, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: d.length } }).length },
    { name: 'zstd-1', compress: (d) => zstdCompress(d, 1).length },
    { name: 'lz4', compress: (d) => lz4.compressSync(d).length },
  ];
}
