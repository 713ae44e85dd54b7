#!/usr/bin/env node
/**
 * Builds everything the appliance serves or runs:
 *   dist/web/          browser bundles (esbuild) + HTML pages + CSS + media-core wasm
 *   dist/appliance/    the daemon as one ES module (dependencies stay in node_modules)
 *   dist/client/       the customer-client template (one file, dependencies bundled)
 * Usage: node scripts/build.mjs [--watch-free] ; idempotent, ~1 s.
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { embeddedPtyPlugin } from './embedded-pty-plugin.mjs';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');
const webOut = path.join(out, 'web');
mkdirSync(webOut, { recursive: true });

// Media core: built by its own script when present.
const wasmBuild = path.join(root, 'wasm', 'build.mjs');
if (existsSync(wasmBuild)) {
  const r = spawnSync(process.execPath, [wasmBuild], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const wasm = path.join(root, 'wasm', 'build', 'media-core.wasm');
  if (existsSync(wasm)) copyFileSync(wasm, path.join(webOut, 'media-core.wasm'));
}

const entries = ['portal', 'login', 'console', 'files-sw'].map((n) => path.join(root, 'web', 'src', `${n}.ts`)).filter(existsSync);
await build({
  entryPoints: entries,
  outdir: webOut,
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

// xterm.js's own stylesheet, for the console's command shells (web/src/console/shell-terminal.ts).
copyFileSync(path.join(root, 'node_modules', '@xterm', 'xterm', 'css', 'xterm.css'), path.join(webOut, 'xterm.css'));

for (const dir of ['pages', 'styles']) {
  const src = path.join(root, 'web', dir);
  if (!existsSync(src)) continue;
  for (const f of readdirSync(src)) copyFileSync(path.join(src, f), path.join(webOut, f));
}

// The customer client: one self-contained file (dependencies bundled), not minified so
// customers can read what they run. The appliance embeds its address and CA pin into it.
const clientEntry = path.join(root, 'client', 'src', 'main.ts');
if (existsSync(clientEntry)) {
  await build({
    entryPoints: [clientEntry],
    outfile: path.join(out, 'client', 'relaydesk-client.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: false,
    legalComments: 'none',
    // ws loads these optional native helpers if present; the client does without them.
    external: ['bufferutil', 'utf-8-validate'],
    // The media core travels inside the client (screen sharing encodes with it).
    loader: { '.wasm': 'binary' },
    plugins: [embeddedPtyPlugin(root)],
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __rdCreateRequire } from 'node:module';\nconst require = __rdCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

await build({
  entryPoints: [path.join(root, 'appliance', 'src', 'main.ts')],
  outfile: path.join(out, 'appliance', 'main.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

// Operator tools for installed appliances (no TypeScript runner there): backup and restore.
for (const tool of ['backup', 'restore']) {
  await build({
    entryPoints: [path.join(root, 'scripts', `${tool}.ts`)],
    outfile: path.join(out, 'tools', `${tool}.mjs`),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}
