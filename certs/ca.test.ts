/** Certificate creation: what is created once, kept, and re-issued when the names change. */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { certificateNames, ensureCertificatesSync } from './ca.ts';

t.test('first call creates a CA and a server certificate; later calls keep them', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-ca-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = ensureCertificatesSync(dir, ['localhost', '127.0.0.1', '::1']);
  t.equal(first.created, true);
  const server = new X509Certificate(readFileSync(first.serverCert));
  const ca = new X509Certificate(first.caCertPem);
  t.ok(server.verify(ca.publicKey), 'the server certificate is signed by the CA');
  t.ok(ca.ca, 'the CA certificate is a CA');
  t.same(certificateNames(readFileSync(first.serverCert, 'utf8')).sort(), ['127.0.0.1', '::1', 'localhost']);
  t.equal(statSync(first.caKey).mode & 0o777, 0o600);
  t.equal(statSync(first.serverKey).mode & 0o777, 0o600);

  const again = ensureCertificatesSync(dir, ['localhost', '::1', '127.0.0.1']);
  t.equal(again.created, false, 'nothing is re-issued when the names are covered (IPv6 spelled either way)');
  t.equal(again.serverSpkiSha256, first.serverSpkiSha256);

  const renamed = ensureCertificatesSync(dir, ['support.example.test', 'localhost']);
  t.equal(renamed.created, true, 'a new name re-issues the server certificate');
  t.equal(renamed.caSpkiSha256, first.caSpkiSha256, 'with the same CA');
  t.ok(certificateNames(readFileSync(renamed.serverCert, 'utf8')).includes('support.example.test'));
  t.end();
});
