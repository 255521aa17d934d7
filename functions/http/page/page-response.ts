import type { RouteResponse } from '#shared/http/route.ts';
import type { PageFile, PageFiles } from './page-files.ts';
import { isPagePath } from './page-paths.ts';

/**
 * Scripts and styles only from the page's own origin, no inline code, API
 * calls only to the same origin, never framed, and no string may reach an
 * HTML sink (Trusted Types: the page builds its DOM from text nodes only).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const PAGE_PREFIX = '/replay/';
const ASSETS_PREFIX = '/replay/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
const htmlHeaders = {
  ...securityHeaders,
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export interface PageRequest {
  path: string;
  /** Lower-case names, as the HTTP frame normalises them. */
  headers: Readonly<Record<string, string | undefined>>;
}

/**
 * Answers a request for a page of the app shell or below `/replay`: an asset
 * by its name, or the page for any other path (deep links such as
 * `/replay/runs/{run_id}` load the page, which routes in the browser). HTML is revalidated on every load
 * (`no-cache` with an ETag); content-hashed assets are cached for a year.
 */
export function pageResponse(files: PageFiles | undefined, request: PageRequest): RouteResponse {
  if (!files) return text(503, 'The Replay Hub page has not been built: run `npm run build`.');
  if (request.path.startsWith(ASSETS_PREFIX)) {
    const file = files.get(request.path.slice(PAGE_PREFIX.length));
    if (!file) return text(404, 'No such asset.');
    return fileResponse(file, request, 200, { ...securityHeaders, 'cache-control': file.immutable ? IMMUTABLE : 'no-cache' });
  }
  const page = files.get('index.html');
  if (!page) return text(503, 'The Replay Hub page has not been built: run `npm run build`.');
  return fileResponse(page, request, isPagePath(request.path) ? 200 : 404, { ...htmlHeaders, 'cache-control': 'no-cache' });
}

function fileResponse(file: PageFile, request: PageRequest, status: number, headers: Record<string, string>): RouteResponse {
  const encoding = preferredEncoding(request.headers['accept-encoding'], file);
  const etag = encoding ? `${file.etag.slice(0, -1)}-${encoding}"` : file.etag;
  const common = { ...headers, etag, vary: 'accept-encoding' };
  if (status === 200 && matches(request.headers['if-none-match'], etag)) return { status: 304, headers: common };
  const body = encoding ? file.encoded[encoding]! : file.body;
  return {
    status,
    headers: { ...common, 'content-type': file.contentType, ...(encoding ? { 'content-encoding': encoding } : {}) },
    rawBody: { data: body.toString('base64'), isBase64Encoded: true },
  };
}

/** Brotli, else gzip, when the client accepts it and the build made it; identity otherwise. */
export function preferredEncoding(acceptEncoding: string | undefined, file: Pick<PageFile, 'encoded'>): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, ...params]) => !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p)))
      .map(([name]) => name),
  );
  if (accepted.has('br') && file.encoded.br) return 'br';
  if (accepted.has('gzip') && file.encoded.gzip) return 'gzip';
  return undefined;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

function text(status: number, message: string): RouteResponse {
  return {
    status,
    headers: { ...securityHeaders, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    rawBody: { data: message, isBase64Encoded: false },
  };
}
