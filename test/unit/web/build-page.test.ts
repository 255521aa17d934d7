import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPageFiles } from '../../../functions/http/page/page-files.ts';
import { buildPage, type BuiltFile } from '../../../web/build/build-page.ts';

const outDir = mkdtempSync(join(tmpdir(), 'reprise-page-'));
const secondDir = mkdtempSync(join(tmpdir(), 'reprise-page-'));
let built: BuiltFile[];

afterAll(() => {
  for (const dir of [outDir, secondDir]) rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  // A file of an earlier build, which this one must remove.
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  writeFileSync(join(outDir, 'assets', 'app-OLD00000.js'), 'old');
  built = await buildPage(outDir);
});

describe('the page build', () => {
  it('writes index.html and content-hashed script (the shell, the chunks it shares, a chunk per section of its own), styles and icon', () => {
    const paths = built.map((f) => f.path).sort();
    const chunks = paths.filter((path) => /^assets\/chunk-[A-Z0-9]{8}\.js$/.test(path));
    expect(chunks.length).toBeGreaterThan(0);
    expect(paths.filter((path) => !chunks.includes(path))).toEqual([
      expect.stringMatching(/^assets\/app-[A-Z0-9]{8}\.js$/),
      expect.stringMatching(/^assets\/icon-[A-Z0-9]{8}\.svg$/),
      expect.stringMatching(/^assets\/proxy-view-[A-Z0-9]{8}\.js$/),
      expect.stringMatching(/^assets\/reproducibility-view-[A-Z0-9]{8}\.js$/),
      expect.stringMatching(/^assets\/styles-[A-Z0-9]{8}\.css$/),
      'index.html',
    ]);
    expect(existsSync(join(outDir, 'assets', 'app-OLD00000.js'))).toBe(false);
  });

  it('links the hashed assets from index.html, preloads the chunks the shell imports, and leaves section chunks to their pages', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const section = (path: string) => /^assets\/(proxy|reproducibility)-view-/.test(path);
    for (const file of built.filter((f) => f.path.startsWith('assets/') && !section(f.path))) expect(html).toContain(`/replay/${file.path}`);
    expect(html).not.toContain('proxy-view-');
    expect(html).not.toContain('reproducibility-view-');
    expect(html).not.toMatch(/%[A-Z_]+%/);
    expect(html).toMatch(/<script type="module" src="\/replay\/assets\/app-[A-Z0-9]{8}\.js"><\/script>/);
    expect(html).toMatch(/<link rel="modulepreload" href="\/replay\/assets\/chunk-[A-Z0-9]{8}\.js">/);
    expect(html.match(/<script\b[^>]*>[^<]+<\/script>/g)).toBeNull();
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('stays small: the shell’s script under 40 KiB, a section’s chunk under 48 KiB and the styles under 16 KiB before compression', () => {
    const size = (prefix: string) => built.filter((f) => f.path.startsWith(`assets/${prefix}-`)).reduce((sum, f) => sum + f.bytes, 0);
    expect(size('app') + size('chunk')).toBeLessThan(40 * 1024);
    expect(size('proxy-view')).toBeLessThan(48 * 1024);
    expect(size('reproducibility-view')).toBeLessThan(48 * 1024);
    expect(size('styles')).toBeLessThan(16 * 1024);
    const app = built.find((f) => f.path.startsWith('assets/app-'))!;
    expect(app.brotliBytes).toBeLessThan(app.bytes / 2);
  });

  it('writes a .br and a .gz beside each file, which decode to it', () => {
    for (const file of built) {
      const original = readFileSync(join(outDir, file.path));
      expect(brotliDecompressSync(readFileSync(join(outDir, `${file.path}.br`)))).toEqual(original);
      expect(gunzipSync(readFileSync(join(outDir, `${file.path}.gz`)))).toEqual(original);
    }
  });

  it('is read back by the page function with types, encodings and immutability', () => {
    const files = readPageFiles(outDir);
    expect([...files.keys()].sort()).toEqual(built.map((f) => f.path).sort());
    const script = [...files.entries()].find(([path]) => path.endsWith('.js'))![1];
    expect(script).toMatchObject({ contentType: 'text/javascript; charset=utf-8', immutable: true, etag: expect.stringMatching(/^"[\w-]{22}"$/) });
    expect(Object.keys(script.encoded).sort()).toEqual(['br', 'gzip']);
    expect(files.get('index.html')).toMatchObject({ contentType: 'text/html; charset=utf-8', immutable: false });
  });

  it('makes the same files from the same sources', async () => {
    const again = await buildPage(secondDir);
    expect(again.map((f) => [f.path, f.bytes])).toEqual(built.map((f) => [f.path, f.bytes]));
  });
});
