/**
 * TLS options for a client that trusts only the appliance: the CA embedded
 * in its build, plus (optionally) the server key's SPKI pin. There is no
 * switch to skip these checks.
 */
import { X509Certificate, createHash } from 'node:crypto';
import tls from 'node:tls';

export interface PinnedTrust {
  /** PEM of the appliance CA, embedded at build time. */
  readonly caPem: string;
  /** Optional base64 sha256 of the server certificate's SPKI; when set, any other key is refused. */
  readonly serverSpkiSha256?: string;
}

/** Options for `tls.connect` / `https.request` / WebSocket clients that enforce `trust`. */
export function pinnedTlsOptions(trust: PinnedTrust): Pick<tls.ConnectionOptions, 'ca' | 'rejectUnauthorized' | 'checkServerIdentity'> {
  return {
    ca: [trust.caPem],
    rejectUnauthorized: true,
    checkServerIdentity(host, cert) {
      const err = tls.checkServerIdentity(host, cert);
      if (err) return err;
      if (trust.serverSpkiSha256) {
        // `cert.pubkey` is PKCS#1 for RSA; the pin is over the SPKI DER, as Chromium's SPKI list uses.
        const spki = cert.raw ? new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' }) : undefined;
        const got = spki ? createHash('sha256').update(spki).digest('base64') : '';
        if (got !== trust.serverSpkiSha256) return new Error(`server key does not match the pinned key (got ${got || 'none'})`);
      }
      return undefined;
    },
  };
}
