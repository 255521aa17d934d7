import { gzipSync, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { PageFile, PageFiles } from '../../../../functions/http/page/page-files.ts';
import { CONTENT_SECURITY_POLICY, pageResponse, preferredEncoding } from '../../../../functions/http/page/page-response.ts';

const file = (text: string, contentType: string, etag: string, immutable: boolean, encoded = true): PageFile => ({
  body: Buffer.from(text),
  contentType,
  etag: `"${etag}"`,
  immutable,
  encoded: encoded ? { br: brotliCompressSync(text), gzip: gzipSync(text) } : {},
});

const files: PageFiles = new Map([
  ['index.html', file('<!doctype html><title>Replay Hub</title>', 'text/html; charset=utf-8', 'html1', false)],
  ['assets/app-ABCD1234.js', file('console.log(1)', 'text/javascript; charset=utf-8', 'js1', true)],
  ['assets/plain.txt', file('plain', 'text/plain; charset=utf-8', 'txt1', false, false)],
]);

const get = (path: string, headers: Record<string, string> = {}) => pageResponse(files, { path, headers });
const decoded = (response: ReturnType<typeof get>) => Buffer.from(response.rawBody!.data, response.rawBody!.isBase64Encoded ? 'base64' : 'utf8').toString();

describe('the page routes', () => {
  it.each(['/replay', '/replay/', '/replay/runs/run_42', '/replay/runs/run%3A42/', '/proxy', '/proxy/'])('serve the page for %s, never cached without revalidation', (path) => {
    const response = get(path);
    expect(response.status).toBe(200);
    expect(decoded(response)).toContain('<title>Replay Hub</title>');
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      etag: '"html1"',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
  });

  it('allow no inline script, scripts and styles from the page only, and API calls to its own origin only', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'self'",
      'frame-ancestors': "'none'",
      'require-trusted-types-for': "'script'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('answer other paths below /replay with the page and a 404, so the page can say so', () => {
    const response = get('/replay/runs/a/b');
    expect(response.status).toBe(404);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
  });

  it('serve the Proxy page at /proxy only: the paths below it are the recording proxy\'s', () => {
    expect(get('/proxy').status).toBe(200);
    expect(get('/proxy/tok_123').status).toBe(404);
    expect(get('/proxy/tok_123/cart').status).toBe(404);
  });

  it('serve hashed assets with their type, cached for a year as immutable', () => {
    const response = get('/replay/assets/app-ABCD1234.js');
    expect(response.status).toBe(200);
    expect(decoded(response)).toBe('console.log(1)');
    expect(response.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
    expect(response.headers).not.toHaveProperty('content-security-policy');
  });

  it('revalidate assets without a content hash in their name', () => {
    expect(get('/replay/assets/plain.txt').headers?.['cache-control']).toBe('no-cache');
  });

  it('answer a missing asset with a plain 404, never the page', () => {
    const response = get('/replay/assets/app-OLDHASH1.js');
    expect(response.status).toBe(404);
    expect(response.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  });

  it('send brotli, else gzip, when accepted, with an ETag per encoding', () => {
    const br = get('/replay/assets/app-ABCD1234.js', { 'accept-encoding': 'gzip, deflate, br' });
    const gzip = get('/replay', { 'accept-encoding': 'gzip' });
    expect(br.headers).toMatchObject({ 'content-encoding': 'br', etag: '"js1-br"', vary: 'accept-encoding' });
    expect(gzip.headers).toMatchObject({ 'content-encoding': 'gzip', etag: '"html1-gzip"' });
    expect(br.rawBody?.isBase64Encoded).toBe(true);
    expect(get('/replay/assets/plain.txt', { 'accept-encoding': 'br' }).headers).not.toHaveProperty('content-encoding');
  });

  it('answer 304 for a matching If-None-Match, and the body otherwise', () => {
    expect(get('/replay', { 'if-none-match': '"html1"' })).toMatchObject({ status: 304 });
    expect(get('/replay', { 'if-none-match': 'W/"other", "html1"' }).status).toBe(304);
    expect(get('/replay', { 'if-none-match': '"html1"', 'accept-encoding': 'br' }).status).toBe(200);
    expect(get('/replay', { 'if-none-match': '"html1-br"', 'accept-encoding': 'br' }).status).toBe(304);
    expect(get('/replay', { 'if-none-match': '"stale"' }).status).toBe(200);
    expect(get('/replay', { 'if-none-match': '"html1"' }).rawBody).toBeUndefined();
  });

  it('say how to build the page when it has not been built', () => {
    const response = pageResponse(undefined, { path: '/replay', headers: {} });
    expect(response.status).toBe(503);
    expect(response.rawBody?.data).toContain('npm run build');
  });
});

describe('content negotiation', () => {
  const both = { encoded: { br: Buffer.alloc(1), gzip: Buffer.alloc(1) } };
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;q=1.0', 'br'],
    ['br;q=0.0, gzip;q=0', undefined],
    ['deflate, gzip;q=0.5, br', 'br'],
  ])('picks %s → %s', (accept, expected) => {
    expect(preferredEncoding(accept, both)).toBe(expected);
  });
});
