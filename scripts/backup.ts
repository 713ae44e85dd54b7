/**
 * Operator command: `npm run backup -- [--data ./data] [--out DIR]`.
 * Takes a consistent backup while the appliance keeps running.
 */
import path from 'node:path';
import { backupDataDir } from '../appliance/src/store/backup.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const data = path.resolve(arg('--data', process.env.RELAYDESK_DATA ?? './data'));
const out = path.resolve(arg('--out', `./backups/relaydesk-${new Date().toISOString().replace(/[:.]/g, '-')}`));
try {
  const m = await backupDataDir(data, out);
  process.stdout.write(`backup of ${data} written to ${out} (${Object.keys(m.files).length} files, schema ${m.schemaVersion})\n`);
} catch (err) {
  process.stderr.write(`backup failed: ${(err as Error).message}\n`);
  process.exit(1);
}
