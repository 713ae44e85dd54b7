/**
 * Baselines for bench/http on the same certificate: the smallest uWS SSLApp
 * route ("Hello World!") and a route that returns the same brotli bytes as
 * the appliance's static asset with nothing else. Prints `READY <port>`.
 */
import { readFileSync } from 'node:fs';
import { brotliCompressSync } from 'node:zlib';
import { uws } from '../../appliance/src/uws.ts';

const [keyFile, certFile, assetFile] = process.argv.slice(2);
const app = uws.SSLApp({ key_file_name: keyFile!, cert_file_name: certFile! });
app.get('/hello', (res) => {
  res.end('Hello World!');
});
// The same brotli bytes the appliance serves for the asset: the floor for a static file of that size.
const asset = assetFile ? brotliCompressSync(readFileSync(assetFile)) : Buffer.alloc(0);
app.get('/asset', (res) => {
  res.writeHeader('Content-Encoding', 'br').end(asset);
});
app.listen('127.0.0.1', 0, (s) => {
  if (!s) process.exit(1);
  process.stdout.write(`READY ${uws.us_socket_local_port(s)}\n`);
});
