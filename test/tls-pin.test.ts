/**
 * Pinned TLS as client builds use it (certs/pin.ts): the appliance's own CA
 * is accepted; a look-alike server for the same name with another CA is
 * refused; with an SPKI pin, even a certificate from the same CA but another
 * key is refused. The appliance serves TLS only.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { ensureCertificatesSync, spkiSha256 } from '../certs/ca.ts';
import { pinnedTlsOptions, type PinnedTrust } from '../certs/pin.ts';
import { startAppliance } from './helpers/appliance.ts';

const app = await startAppliance();
t.teardown(() => app.stop());

function get(port: number, trust: PinnedTrust): Promise<number> {
  return new Promise((resolve, reject) => {
    // agent: false — a pooled socket would skip the handshake and with it the pin check.
    const req = https.get({ host: '127.0.0.1', port, path: '/api/health', servername: 'localhost', agent: false, ...pinnedTlsOptions(trust) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/** An HTTPS server on loopback with the certificates found in `dir`. */
async function lookAlike(t: Test, dir: string): Promise<number> {
  const server = https.createServer({ key: readFileSync(path.join(dir, 'certs', 'server.key.pem')), cert: readFileSync(path.join(dir, 'certs', 'server.cert.pem')) }, (_q, s) => s.end('{"ok":true}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a client pinning the appliance CA connects', async (t) => {
  t.equal(await get(app.port, { caPem: app.caPem }), 200);
  const spki = spkiSha256(readFileSync(path.join(app.dataDir, 'certs', 'server.cert.pem'), 'utf8'));
  t.equal(await get(app.port, { caPem: app.caPem, serverSpkiSha256: spki }), 200, 'and with the server key pinned too');
});

t.test('a look-alike server for the same name with another CA is refused', async (t) => {
  const dir = tempDir(t);
  ensureCertificatesSync(dir, ['localhost', '127.0.0.1']);
  const port = await lookAlike(t, dir);
  await t.rejects(get(port, { caPem: app.caPem }), /self[- ]signed|unable to verify|certificate/i);
});

t.test('with an SPKI pin, another key from the same CA is refused', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'certs'));
  for (const f of ['ca.cert.pem', 'ca.key.pem']) copyFileSync(path.join(app.dataDir, 'certs', f), path.join(dir, 'certs', f));
  ensureCertificatesSync(dir, ['localhost', '127.0.0.1']);
  const port = await lookAlike(t, dir);
  t.equal(await get(port, { caPem: app.caPem }), 200, 'the CA alone accepts it (same CA)');
  const pin = spkiSha256(readFileSync(path.join(app.dataDir, 'certs', 'server.cert.pem'), 'utf8'));
  await t.rejects(get(port, { caPem: app.caPem, serverSpkiSha256: pin }), /pinned key/);
});

t.test('private keys are mode 0600; plain HTTP gets no answer', async (t) => {
  const { statSync } = await import('node:fs');
  for (const f of ['ca.key.pem', 'server.key.pem']) t.equal(statSync(path.join(app.dataDir, 'certs', f)).mode & 0o777, 0o600, f);
  const reply = await new Promise<string>((resolve) => {
    const s = net.connect(app.port, '127.0.0.1', () => s.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n'));
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    s.setTimeout(2000, () => s.destroy());
  });
  t.notMatch(reply, /"ok":true/, 'no API answer over plain HTTP');
});
