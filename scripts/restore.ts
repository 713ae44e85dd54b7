/**
 * Operator command: `npm run restore -- --from DIR [--data ./data]`.
 * Stop the appliance first; the current data folder is moved aside, not deleted.
 */
import path from 'node:path';
import { restoreDataDir } from '../appliance/src/store/backup.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const from = arg('--from');
if (!from) {
  process.stderr.write('usage: npm run restore -- --from BACKUP_DIR [--data DATA_DIR]\n');
  process.exit(2);
}
const data = path.resolve(arg('--data') ?? process.env.RELAYDESK_DATA ?? './data');
try {
  const { movedAside } = restoreDataDir(path.resolve(from), data);
  process.stdout.write(`restored ${from} into ${data}${movedAside ? `; the previous data is in ${movedAside}` : ''}\n`);
} catch (err) {
  process.stderr.write(`restore failed: ${(err as Error).message}\n`);
  process.exit(1);
}
