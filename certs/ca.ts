/**
 * The appliance's own certificate authority and server certificate.
 *
 * On first start the appliance creates, in `<data>/certs/`:
 *   ca.key.pem      CA private key           (mode 0600)
 *   ca.cert.pem     CA certificate           (10 years; pinned by client builds)
 *   server.key.pem  server private key       (mode 0600)
 *   server.cert.pem server certificate       (signed by the CA; SANs below)
 * An operator may replace server.key.pem/server.cert.pem (and ca.cert.pem
 * with the CA that signed them) by a real CA-issued pair; files that exist are
 * never overwritten. The server certificate is re-issued by the own CA when
 * the configured host names are not all among its SANs and the CA key exists.
 */
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import forge from 'node-forge';

export interface CertificatePaths {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

export interface CertificateInfo extends CertificatePaths {
  readonly caCertPem: string;
  /** base64(sha256(SPKI DER)) of the server key: the form Chromium's SPKI list and client pins use. */
  readonly serverSpkiSha256: string;
  /** base64(sha256(SPKI DER)) of the CA key. */
  readonly caSpkiSha256: string;
  /** True when this call created new files. */
  readonly created: boolean;
}

/** RSA 2048: what node-forge signs fast with Node's native keygen (forge signs RSA only). */
const KEY_BITS = 2048;
const CA_YEARS = 10;
/** 397 days: the longest validity browsers accept for a server certificate. */
const SERVER_DAYS = 397;

export function certificatePaths(dataDir: string): CertificatePaths {
  const dir = path.join(dataDir, 'certs');
  return {
    dir,
    caCert: path.join(dir, 'ca.cert.pem'),
    caKey: path.join(dir, 'ca.key.pem'),
    serverCert: path.join(dir, 'server.cert.pem'),
    serverKey: path.join(dir, 'server.key.pem'),
  };
}

function serial(): string {
  // Positive 128-bit serial (leading nibble < 8 keeps the DER integer positive).
  return '4' + forge.util.bytesToHex(forge.random.getBytesSync(15));
}

function writeSecret(file: string, pem: string): void {
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function spkiSha256(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

function makeCa(commonName: string): { cert: forge.pki.Certificate; keys: forge.pki.rsa.KeyPair } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: KEY_BITS });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + CA_YEARS * 365 * 86_400_000);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'RelayDesk appliance' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, keys };
}

function makeServer(ca: forge.pki.Certificate, caKey: forge.pki.rsa.PrivateKey, names: readonly string[]): { cert: forge.pki.Certificate; keys: forge.pki.rsa.KeyPair } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: KEY_BITS });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + SERVER_DAYS * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
  cert.setIssuer(ca.subject.attributes);
  const altNames = names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert, keys };
}

/** One spelling per name: lower-case DNS names, compressed IPv6 (the SAN text spells ::1 as 0:0:0:0:0:0:0:1). */
export function canonicalName(name: string): string {
  if (isIP(name) === 6) return new URL(`http://[${name}]/`).hostname.slice(1, -1);
  return name.toLowerCase();
}

/** Names a certificate covers: its DNS and IP SANs, canonical. */
export function certificateNames(pem: string): string[] {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return san
    .split(',')
    .map((s) => s.trim())
    .map((s) => s.replace(/^DNS:/, '').replace(/^IP Address:/, ''))
    .filter(Boolean)
    .map(canonicalName);
}

/**
 * Makes sure a CA and a server certificate covering `names` exist under
 * `<dataDir>/certs`, creating what is missing. Synchronous: it runs once at start.
 */
export function ensureCertificatesSync(dataDir: string, names: readonly string[]): CertificateInfo {
  const p = certificatePaths(dataDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  let created = false;
  if (!existsSync(p.caCert) && !existsSync(p.serverCert)) {
    const ca = makeCa(`RelayDesk CA ${names[0] ?? 'localhost'}`);
    writeSecret(p.caKey, forge.pki.privateKeyToPem(ca.keys.privateKey));
    writeFileSync(p.caCert, forge.pki.certificateToPem(ca.cert));
    created = true;
  }
  const needServer = !existsSync(p.serverCert) || !existsSync(p.serverKey) || !names.every((n) => certificateNames(readFileSync(p.serverCert, 'utf8')).includes(canonicalName(n)));
  if (needServer) {
    if (!existsSync(p.caKey)) {
      if (!existsSync(p.serverCert)) throw new Error(`no server certificate in ${p.dir} and no CA key to issue one`);
      // An operator-installed certificate: keep it even if it lacks a name.
    } else {
      const ca = forge.pki.certificateFromPem(readFileSync(p.caCert, 'utf8'));
      const caKey = forge.pki.privateKeyFromPem(readFileSync(p.caKey, "utf8")) as forge.pki.rsa.PrivateKey;
      const server = makeServer(ca, caKey, names);
      writeSecret(p.serverKey, forge.pki.privateKeyToPem(server.keys.privateKey));
      writeFileSync(p.serverCert, forge.pki.certificateToPem(server.cert));
      created = true;
    }
  }
  const caCertPem = readFileSync(p.caCert, 'utf8');
  return {
    ...p,
    caCertPem,
    serverSpkiSha256: spkiSha256(readFileSync(p.serverCert, 'utf8')),
    caSpkiSha256: spkiSha256(caCertPem),
    created,
  };
}
