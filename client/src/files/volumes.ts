/**
 * The "volumes" a rep starts browsing from: the mount points of real file
 * systems (from /proc/self/mountinfo, without proc, sysfs, cgroups, device
 * and other kernel-internal mounts) and the user's home folder. When the
 * rep's allowed paths are restricted, the volumes are those allowed paths
 * that exist as folders, since nothing else could be opened anyway.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Volume } from '../../../common/files-protocol.ts';
import { pathAllowed } from '../../../common/permissions.ts';
import type { FilePolicy } from './path-policy.ts';

/** File system types that hold no user files. */
const PSEUDO_FS = new Set([
  'proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'devtmpfs', 'mqueue', 'debugfs', 'tracefs', 'securityfs',
  'pstore', 'bpf', 'configfs', 'fusectl', 'hugetlbfs', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs',
  'efivarfs', 'selinuxfs', 'ramfs', 'squashfs', 'overlay-internal', 'fuse.gvfsd-fuse', 'fuse.portal',
]);
/** Mount points below these belong to the system, not to the user. */
const SYSTEM_PREFIXES = ['/proc', '/sys', '/dev', '/run', '/boot/efi', '/snap', '/mnt/sandboxing'];

/** Undoes the octal escapes of mountinfo (`\040` for a space). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses mountinfo text into `{ path, fsType }`, keeping real file systems only. */
export function parseMountinfo(text: string): Array<{ path: string; fsType: string }> {
  const out: Array<{ path: string; fsType: string }> = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6 || fields.length < sep + 3) continue;
    const mountPoint = unescapeMount(fields[4]!);
    const fsType = fields[sep + 1]!;
    if (PSEUDO_FS.has(fsType)) continue;
    if (SYSTEM_PREFIXES.some((pre) => mountPoint === pre || mountPoint.startsWith(`${pre}/`))) continue;
    if (fsType === 'tmpfs' && mountPoint !== '/tmp') continue;
    out.push({ path: mountPoint, fsType });
  }
  return out;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Volumes for this policy, sorted by path, no duplicates; and the home folder. */
export async function listVolumes(policy: FilePolicy): Promise<{ volumes: Volume[]; home: string }> {
  const home = os.homedir();
  const seen = new Map<string, Volume>();
  if (policy.allowedPaths.length > 0) {
    for (const p of policy.allowedPaths) if (await isDir(p)) seen.set(p, { path: p, kind: p === home ? 'home' : 'allowed' });
  } else {
    let text = '';
    try {
      text = await fs.readFile('/proc/self/mountinfo', 'utf8');
    } catch {
      text = '';
    }
    const mounts = parseMountinfo(text);
    if (mounts.length === 0) mounts.push({ path: '/', fsType: 'root' });
    for (const m of mounts) if (!seen.has(m.path)) seen.set(m.path, { path: m.path, kind: m.fsType });
    if (await isDir(home)) seen.set(home, { path: home, kind: 'home' });
  }
  const volumes = [...seen.values()].filter((v) => pathAllowed(policy.allowedPaths, v.path));
  volumes.sort((a, b) => (a.kind === 'home' ? -1 : b.kind === 'home' ? 1 : a.path.localeCompare(b.path)));
  return { volumes, home };
}
