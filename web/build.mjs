// Builds the dashboard into dist/: index.html, favicon.svg, app.js (+ .map), app.css (+ .map).
// One esbuild bundle, minified, deterministic (no timestamps or hashes in the output), so the
// same sources always give the same bytes. Run with `npm run build`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: dist,
  legalComments: 'linked',
  logLevel: 'warning',
  // world-atlas ships plain JSON; i18n-iso-countries only needs its English names.
  loader: { '.json': 'json', '.svg': 'dataurl' },
});

for (const file of ['index.html', 'favicon.svg']) {
  copyFileSync(join(root, 'src', file), join(dist, file));
}
console.log('web/dist built');
