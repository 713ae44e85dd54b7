/**
 * What the customer's computer tells the representative in `hello`: host
 * name, operating system (platform and release), the signed-in user, and the
 * private addresses of its network interfaces. Every value is cut to the
 * limits of the customer protocol so a long host name can never make the
 * appliance refuse the hello.
 */
import os from 'node:os';

/** Limits of `hello` in common/customer-protocol.ts. */
const MAX_HOSTNAME = 255;
const MAX_OS = 200;
const MAX_USER = 100;
const MAX_NAME = 100;
const MAX_ADDRESSES = 16;

export interface SystemInfo {
  readonly hostname: string;
  readonly os: string;
  readonly user: string;
  readonly privateIps: string[];
}

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows', freebsd: 'FreeBSD', openbsd: 'OpenBSD' };

/** Human name of the OS: platform and kernel release, e.g. "Linux 6.1.0-18-amd64". */
export function osDescription(platform: NodeJS.Platform = process.platform, release: string = os.release()): string {
  return `${PLATFORM_NAMES[platform] ?? platform} ${release}`.slice(0, MAX_OS);
}

/** The signed-in user; `os.userInfo()` throws for users without a passwd entry (some containers). */
export function currentUser(): string {
  try {
    return os.userInfo().username.slice(0, MAX_USER);
  } catch {
    return (process.env.USER ?? process.env.USERNAME ?? '').slice(0, MAX_USER);
  }
}

/**
 * Non-internal interface addresses, IPv4 first. IPv6 link-local addresses
 * (fe80::/10) are left out: every interface has one and they say nothing
 * about where the computer is.
 */
export function privateAddresses(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string[] {
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const usable = all.filter((a) => !a.internal && !(a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)));
  const v4 = usable.filter((a) => a.family === 'IPv4').map((a) => a.address);
  const v6 = usable.filter((a) => a.family === 'IPv6').map((a) => a.address);
  return [...new Set([...v4, ...v6])].slice(0, MAX_ADDRESSES);
}

export function systemInfo(): SystemInfo {
  return { hostname: os.hostname().slice(0, MAX_HOSTNAME), os: osDescription(), user: currentUser(), privateIps: privateAddresses() };
}

/** The customer name shown to reps: `--name`, else the OS user. */
export function customerName(flag: string | undefined, info: SystemInfo): string {
  const name = (flag ?? '').trim() || info.user || 'Customer';
  return name.slice(0, MAX_NAME);
}
