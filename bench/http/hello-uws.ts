/**
 * Baseline for bench/http: the smallest uWS SSLApp — one route answering
 * "Hello World!" — on the same certificate. Prints `READY <port>`.
 */
import { uws } from '../../appliance/src/uws.ts';

const [keyFile, certFile] = process.argv.slice(2);
const app = uws.SSLApp({ key_file_name: keyFile!, cert_file_name: certFile! });
app.get('/hello', (res) => {
  res.end('Hello World!');
});
app.listen('127.0.0.1', 0, (s) => {
  if (!s) process.exit(1);
  process.stdout.write(`READY ${uws.us_socket_local_port(s)}\n`);
});
