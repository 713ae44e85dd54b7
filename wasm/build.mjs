// Builds wasm/build/media-core.wasm from wasm/assembly with the release
// target of asconfig.json; `--debug` also builds the debug target
// (media-core.debug.wasm + .wat + source map). Run: node wasm/build.mjs
import asc from 'assemblyscript/asc';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const targets = process.argv.includes('--debug') ? ['release', 'debug'] : ['release'];

for (const target of targets) {
  const { error, stderr } = await asc.main(
    ['--config', path.join(root, 'asconfig.json'), '--target', target, '--baseDir', root],
    { stdout: process.stdout, stderr: process.stderr },
  );
  if (error) {
    process.stderr.write(String(stderr));
    console.error(`media core: ${target} build failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`media core: built ${target}`);
}
