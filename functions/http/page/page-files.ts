import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { pageFiles } from '#lib/catalogue.ts';

/** One built file of the page, with its precompressed forms when the build made them. */
export interface PageFile {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Content-hashed names never change content: browsers may keep them for a year. */
  immutable: boolean;
  encoded: { br?: Buffer; gzip?: Buffer };
}

/** The built page: `index.html` and `assets/<name>`, keyed by their path below `/replay/`. */
export type PageFiles = ReadonlyMap<string, PageFile>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/**
 * Where `npm run build` put the page: in the Lambda bundle beside index.mjs
 * (the stack copies it there), in the repository where the build writes it.
 */
export const pageDirectories = [join(import.meta.dirname, pageFiles.into), resolve(import.meta.dirname, '..', '..', '..', pageFiles.from)];

let cached: { dir: string; builtAt: number; files: PageFiles } | undefined;

/**
 * The built page, read once and again only when `index.html` changes (a
 * rebuild while `npm start` runs); undefined when it has not been built.
 */
export function currentPageFiles(directories: readonly string[] = pageDirectories): PageFiles | undefined {
  const dir = directories.find((candidate) => existsSync(join(candidate, 'index.html')));
  if (!dir) return undefined;
  const builtAt = statSync(join(dir, 'index.html')).mtimeMs;
  if (cached?.dir !== dir || cached.builtAt !== builtAt) cached = { dir, builtAt, files: readPageFiles(dir) };
  return cached.files;
}

/** Reads `index.html` and `assets/*` of a built page; `.br` and `.gz` siblings become encodings of their file. */
export function readPageFiles(dir: string): PageFiles {
  const files = new Map<string, PageFile>();
  const assetsDir = join(dir, 'assets');
  const names = ['index.html', ...(existsSync(assetsDir) ? readdirSync(assetsDir).map((name) => `assets/${name}`) : [])];
  for (const name of names) {
    if (name.endsWith('.br') || name.endsWith('.gz')) continue;
    const body = readFileSync(join(dir, name));
    const sibling = (suffix: string) => (existsSync(join(dir, name + suffix)) ? readFileSync(join(dir, name + suffix)) : undefined);
    const br = sibling('.br');
    const gzip = sibling('.gz');
    files.set(name, {
      body,
      contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: name.startsWith('assets/') && HASHED_NAME.test(name),
      encoded: { ...(br ? { br } : {}), ...(gzip ? { gzip } : {}) },
    });
  }
  return files;
}
