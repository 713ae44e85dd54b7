/**
 * Opens the WSS connection to the appliance with the build's trust and no
 * other: the TLS socket is created here (never taken from an agent pool,
 * whose reused sockets would skip the handshake and the pin check), with the
 * pinned options applied last so nothing can override them, and the upgrade
 * is dropped unless the TLS layer reports the peer as authorized. There is
 * no option to skip any of this (F3).
 */
import tls from 'node:tls';
import net from 'node:net';
import WebSocket from 'ws';
import { pinnedTlsOptions, type PinnedTrust } from '../../../certs/pin.ts';

/** Path of the customer endpoint on the appliance. */
export const CUSTOMER_PATH = '/ws/customer';
/** A TCP+TLS+upgrade that takes longer than 10 s is treated as a cut and retried. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Largest message accepted from the appliance: 1 MiB (a joined with 200 chat lines of 4000 characters fits). */
const MAX_INCOMING_BYTES = 1024 * 1024;

/** Data channels (`/ws/channel`) carry messages up to the appliance's 1 MiB limit plus framing. */
const MAX_CHANNEL_INCOMING_BYTES = 2 * 1024 * 1024;

/** The customer control socket. */
export function openPinnedSocket(origin: string, trust: PinnedTrust): WebSocket {
  return openPinned(`${origin}${CUSTOMER_PATH}`, trust, MAX_INCOMING_BYTES);
}

/** A jump client's presence socket (`/ws/jump`). */
export function openPinnedJump(origin: string, trust: PinnedTrust): WebSocket {
  return openPinned(`${origin}/ws/jump`, trust, MAX_INCOMING_BYTES);
}

/** One data channel's socket, with the one-time ticket the appliance sent in `channel`. */
export function openPinnedChannel(origin: string, trust: PinnedTrust, ticket: string): WebSocket {
  const ws = openPinned(`${origin}/ws/channel?t=${encodeURIComponent(ticket)}`, trust, MAX_CHANNEL_INCOMING_BYTES);
  ws.binaryType = 'nodebuffer';
  return ws;
}

function openPinned(url: string, trust: PinnedTrust, maxPayload: number): WebSocket {
  const pinned = pinnedTlsOptions(trust);
  const ws = new WebSocket(url, [], {
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    maxPayload,
    perMessageDeflate: false,
    followRedirects: false,
    // The TLS options go to tls.connect below, not through ws, so nothing in between can change them.
    createConnection: ((options: tls.ConnectionOptions) =>
      tls.connect({
        ...options,
        // SNI carries the host name, never an IP literal (RFC 6066 §3).
        servername: options.servername || (options.host && !net.isIP(options.host) ? options.host : undefined),
        ...pinned,
      })) as unknown as typeof net.createConnection,
  });
  ws.on('upgrade', (res) => {
    const socket = res.socket as tls.TLSSocket;
    if (!socket.encrypted || !socket.authorized) ws.terminate();
  });
  return ws;
}

/** TLS verification failures (wrong CA, wrong name, expired, pinned key mismatch). */
export function isCertificateError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/.test(code) || /pinned key|certificate/i.test(err.message);
}
