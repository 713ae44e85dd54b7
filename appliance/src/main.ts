/**
 * Entry point: options → logger → appliance → signals. Prints the generated
 * administrator password once, on the first start only.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAppliance } from './app.ts';
import { PID_FILE } from './store/backup.ts';
import { helpText, OptionsError, parseOptions } from './config/options.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(`relaydesk: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(helpText() + '\n');
    return;
  }
  const log = createLogger(options.logLevel);
  const handle = await startAppliance(options, log);
  if (handle.generatedAdminPassword) {
    process.stdout.write(
      `\n  First start: administrator "${options.adminUser}" was created with the password\n\n      ${handle.generatedAdminPassword}\n\n` +
        '  It is shown only this once. Sign in at /login and change it, or set RELAYDESK_ADMIN_PASSWORD before the first start.\n\n',
    );
  }
  // Machine-readable line for scripts and tests that start the appliance on port 0.
  if (process.env.RELAYDESK_READY_LINE === '1') process.stdout.write(`RELAYDESK_READY port=${handle.port}\n`);
  // Lets `npm run restore` refuse while this process owns the data folder.
  const pidFile = path.join(options.data, PID_FILE);
  writeFileSync(pidFile, `${process.pid}\n`);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await handle.stop();
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`relaydesk: cannot start: ${(err as Error).message}\n`);
  process.exit(1);
});
