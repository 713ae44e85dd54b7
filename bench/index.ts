/**
 * `npm run bench`: runs every benchmark under bench/ in turn. Each prints its
 * figures as ratios against a baseline measured in the same run. Pass names
 * to run a subset: `npm run bench -- http codec`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const all = ['http', 'codec', 'sessions', 'permissions', 'special-actions', 'files', 'screen', 'shell', 'shell-jump', 'vnc'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of wanted) {
  const entry = path.join(here, name, 'index.ts');
  if (!existsSync(entry)) {
    console.error(`bench: no benchmark named ${name}`);
    failed++;
    continue;
  }
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry], { stdio: 'inherit', cwd: path.resolve(here, '..') });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
