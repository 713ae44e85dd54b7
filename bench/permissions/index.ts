/**
 * bench/permissions: the cost of the permission checks every in-session
 * action makes, in process on a real LMDB store in a temporary folder.
 *   (a) `effective(userId)`: the user's grant merged with every team grant,
 *       for a user in 0, 5 and 50 of 200 teams, uncached and cached, next to one plain LMDB read
 *       of the user record (the floor any check pays) measured in the same
 *       run, printed as a ratio;
 *   (b) `pathAllowed` on lists of 1, 10 and 100 allowed paths, next to
 *       `path.posix.normalize` of the same path (what a naive check would do
 *       at least) as the baseline.
 * Bounded: fixed iteration counts. Run: `npm run bench -- permissions`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_USER_PERMISSIONS, NO_PERMISSIONS, pathAllowed } from '../../common/permissions.ts';
import { openStoreSync } from '../../appliance/src/store/db.ts';
import { PermissionStore } from '../../appliance/src/store/permissions.ts';
import { TeamStore } from '../../appliance/src/store/teams.ts';
import { UserStore } from '../../appliance/src/store/users.ts';

const TEAMS = 200;
const EFFECTIVE_ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);
const PATH_ITERATIONS = 200_000;
/** Uncached calls read every team; fewer of them keep the run short. */
const COLD_ITERATIONS = 300;

function time(n: number, fn: (i: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < Math.min(n, 1000); i++) sink += fn(i) ? 1 : 0; // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += fn(i) ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return ns / n;
}

function row(name: string, nsPerOp: number, baseNs: number): string {
  return `${name.padEnd(42)} ${(nsPerOp / 1000).toFixed(2).padStart(9)} µs ${(1e9 / nsPerOp).toFixed(0).padStart(10)} /s ${(nsPerOp / baseNs).toFixed(2).padStart(8)}x`;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-bench-perms-'));
try {
  const store = openStoreSync(dir);
  const users = new UserStore(store);
  const teams = new TeamStore(store);
  const perms = new PermissionStore(store, teams);
  const mk = (name: string) => users.createSync({ username: name, displayName: name, admin: false, passwordHash: 'x' }).id;
  const lone = mk('lone');
  const five = mk('five');
  const fifty = mk('fifty');
  for (let i = 0; i < TEAMS; i++) {
    const members = [...(i < 5 ? [{ userId: five, role: 'member' as const }] : []), ...(i < 50 ? [{ userId: fifty, role: 'member' as const }] : [])];
    const team = teams.createSync(`team-${i}`, members);
    perms.setTeamGrantSync(team.id, { ...NO_PERMISSIONS, fileTransfer: 'upload', allowedPaths: [`/srv/team-${i}`] });
  }
  perms.setUserGrantSync(lone, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: ['/home/lone'] });

  console.log(`(a) effective(userId), ${TEAMS} teams in the store, ${EFFECTIVE_ITERATIONS} calls each`);
  const base = time(EFFECTIVE_ITERATIONS, () => users.get(lone));
  console.log(`${'run'.padEnd(42)} ${'per call'.padStart(12)} ${'rate'.padStart(13)} ${'vs read'.padStart(9)}`);
  console.log(row('one LMDB read of the user (baseline)', base, base));
  // Uncached: a fresh store object per call (what every call cost before the cache, and after any grant or team change).
  const cold = (id: string) => time(COLD_ITERATIONS, () => new PermissionStore(store, teams).effective(id));
  console.log(row('effective, uncached: in 0 teams', cold(lone), base));
  console.log(row('effective, uncached: in 5 teams', cold(five), base));
  console.log(row('effective, uncached: in 50 teams', cold(fifty), base));
  console.log(row('effective, cached: in 0 teams', time(EFFECTIVE_ITERATIONS, () => perms.effective(lone)), base));
  console.log(row('effective, cached: in 5 teams', time(EFFECTIVE_ITERATIONS, () => perms.effective(five)), base));
  console.log(row('effective, cached: in 50 teams', time(EFFECTIVE_ITERATIONS, () => perms.effective(fifty)), base));
  await store.close();

  console.log(`\n(b) pathAllowed, ${PATH_ITERATIONS} checks each`);
  const probe = '/srv/share/projects/2026/report/final-version.pdf';
  const lists = [1, 10, 100].map((n) => Array.from({ length: n }, (_, i) => (i === n - 1 ? '/srv/share' : `/data/area-${i}`)));
  const pbase = time(PATH_ITERATIONS, () => path.posix.normalize(probe) === probe);
  console.log(row('path.posix.normalize (baseline)', pbase, pbase));
  for (const list of lists) console.log(row(`pathAllowed: ${list.length} allowed, match last`, time(PATH_ITERATIONS, () => pathAllowed(list, probe)), pbase));
  console.log(row('pathAllowed: traversal refused', time(PATH_ITERATIONS, () => pathAllowed(lists[0]!, '/srv/share/../etc/shadow')), pbase));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
