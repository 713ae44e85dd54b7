/**
 * Remote VNC (F13): a jump item that is a VNC server the appliance connects
 * to on the rep's behalf. The appliance speaks RFB itself
 * (appliance/src/relay/rfb-client.ts) and shows the remote screen in the
 * console like any shared screen; the rep's browser never talks VNC.
 *
 * This module holds what both sides check: the item's target (host, port)
 * and the limit of a typed password. VNC has no host key: nothing proves
 * which machine answers, so the console says so. RFB's VNC Authentication
 * uses only the first 8 characters of a password. Validation throws coded
 * AppErrors and never echoes a secret. Portable: no DOM, no Node.
 */
import { AppError } from './errors.ts';
import { HOST_PATTERN, MAX_HOST_LENGTH } from './shell-jump.ts';

export const VNC_DEFAULT_PORT = 5900;
/** A typed VNC password: RFB uses 8 characters; longer input is refused as a mistake above 1 KiB. */
export const MAX_VNC_PASSWORD = 1024;

export interface VncTarget {
  host: string;
  port: number;
}

/** Checks an item's target; throws VNC_BAD_TARGET naming the field. A missing port is 5900. */
export function checkVncTarget(t: { host: unknown; port?: unknown }): VncTarget {
  const host = typeof t.host === 'string' ? t.host.trim() : '';
  if (!host || host.length > MAX_HOST_LENGTH || !HOST_PATTERN.test(host)) throw new AppError('VNC_BAD_TARGET', 'host');
  if (host.includes(':') && !/^[0-9A-Fa-f:.]+$/.test(host)) throw new AppError('VNC_BAD_TARGET', 'host');
  const port = t.port === undefined ? VNC_DEFAULT_PORT : t.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new AppError('VNC_BAD_TARGET', 'port');
  return { host, port };
}

/** `host:port` as the event log and the item list show it (IPv6 in brackets). */
export function vncLabel(t: VncTarget): string {
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}
