import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const webRoot = resolve(import.meta.dirname, '..');
/** Where the page's HTML links its assets (the page routes serve `/replay/assets/<name>`). */
const ASSETS_URL = '/replay/assets/';

export interface BuiltFile {
  /** Path below the output directory. */
  path: string;
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

/**
 * Builds the app shell's page into `outDir`: the script (with a chunk per
 * section that has its own) and the styles bundled and minified by esbuild
 * with content-hashed names,
 * the icon hashed likewise, `index.html` linking them, and a `.br` and `.gz`
 * beside every file. Each file is written to a temporary name and renamed, and
 * `index.html` last, so a platform serving the directory meanwhile never sees
 * a page whose assets are missing.
 */
export async function buildPage(outDir: string): Promise<BuiltFile[]> {
  const bundled = await build({
    entryPoints: [
      { in: join(webRoot, 'src', 'main.ts'), out: 'app' },
      { in: join(webRoot, 'styles', 'page.css'), out: 'styles' },
    ],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
    entryNames: '[name]-[hash]',
    // Each section's view is imported when its page opens (a chunk of its own); code the
    // sections share goes to chunks the shell imports statically (preloaded by index.html).
    splitting: true,
    chunkNames: '[name]-[hash]',
    metafile: true,
    outdir: 'assets',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const outputs = new Map<string, Uint8Array>(bundled.outputFiles.map((file) => [`assets/${basename(file.path)}`, file.contents]));

  const icon = readFileSync(join(webRoot, 'public', 'icon.svg'));
  outputs.set(`assets/icon-${contentHash(icon)}.svg`, icon);

  const assetUrl = (extension: string, prefix: string) => {
    const name = [...outputs.keys()].find((path) => path.startsWith(`assets/${prefix}-`) && extname(path) === extension);
    if (!name) throw new Error(`The build made no ${prefix}${extension}`);
    return ASSETS_URL + name.slice('assets/'.length);
  };
  const appJs = assetUrl('.js', 'app');
  const preloads = staticImportsOf(bundled.metafile.outputs, `assets/${appJs.slice(ASSETS_URL.length)}`).map((path) => `<link rel="modulepreload" href="${ASSETS_URL}${path.slice('assets/'.length)}">`);
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8')
    .replace('%MODULE_PRELOADS%', preloads.join('\n  '))
    .replaceAll('%APP_JS%', appJs)
    .replaceAll('%STYLES_CSS%', assetUrl('.css', 'styles'))
    .replaceAll('%ICON_SVG%', assetUrl('.svg', 'icon'));

  const files = [...outputs.entries(), ['index.html', Buffer.from(html)] as const];
  const written: BuiltFile[] = [];
  for (const [path, contents] of files) written.push(writeWithEncodings(outDir, path, Buffer.from(contents)));
  removeStale(outDir, new Set(written.flatMap((file) => [file.path, `${file.path}.br`, `${file.path}.gz`])));
  return written;
}

/** The chunks an output imports statically, and theirs: the browser would fetch them one after another without a preload. */
function staticImportsOf(outputs: Metafile['outputs'], entry: string, seen = new Set<string>()): string[] {
  for (const imported of outputs[entry]?.imports ?? []) {
    if (imported.kind !== 'import-statement' || seen.has(imported.path)) continue;
    seen.add(imported.path);
    staticImportsOf(outputs, imported.path, seen);
  }
  return [...seen];
}

function writeWithEncodings(outDir: string, path: string, contents: Buffer): BuiltFile {
  const gzip = gzipSync(contents, { level: 9 });
  const brotli = brotliCompressSync(contents, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: contents.length } });
  // The encodings first: the file itself is what makes a reader look for them.
  writeAtomically(join(outDir, `${path}.br`), brotli);
  writeAtomically(join(outDir, `${path}.gz`), gzip);
  writeAtomically(join(outDir, path), contents);
  return { path, bytes: contents.length, gzipBytes: gzip.length, brotliBytes: brotli.length };
}

function writeAtomically(file: string, contents: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** Files of earlier builds (other hashes); temporary files of a build running now are left alone. */
function removeStale(outDir: string, keep: ReadonlySet<string>): void {
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(outDir, join(entry.parentPath, entry.name));
    if (!keep.has(path) && !path.endsWith('.tmp')) rmSync(join(outDir, path), { force: true });
  }
}

function contentHash(contents: Uint8Array): string {
  return createHash('sha256').update(contents).digest('base64url').replace(/[-_]/g, '').slice(0, 8).toUpperCase();
}
