/**
 * `npm run build`: builds the app shell's pages (web/) into dist/web, which the
 * page routes serve — locally from there, on AWS from the function's bundle.
 * `npm start` runs it first (with --quiet: no output unless it fails); `cdk synth`
 * runs it before bundling the page function.
 */
import { resolve } from 'node:path';
import { pageFiles } from '../lib/catalogue.ts';
import { buildPage } from '../web/build/build-page.ts';

const outDir = resolve(import.meta.dirname, '..', pageFiles.from);
const started = Date.now();
const files = await buildPage(outDir).catch((error: unknown) => {
  console.error(`The page did not build: ${(error as Error).message}`);
  process.exit(1);
});

// `npm start` builds with --quiet: its own first line is what a newcomer should read.
if (process.argv.includes('--quiet')) process.exit(0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`Built the pages into ${outDir} in ${Date.now() - started} ms:`);
for (const file of files) console.log(`  ${file.path.padEnd(36)} ${kb(file.bytes).padStart(10)}  gzip ${kb(file.gzipBytes).padStart(9)}  br ${kb(file.brotliBytes).padStart(9)}`);
