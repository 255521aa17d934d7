import type { ProxiedResponse } from './proxy.ts';

/** A service worker's scope, the origin's stored data (the pages' key), and how browsers reach the host. */
const ORIGIN_WIDE_HEADERS = ['service-worker-allowed', 'clear-site-data', 'strict-transport-security', 'alt-svc'] as const;

/**
 * An upstream's answer made safe to serve from the API's own origin, where the
 * pages keep a caller's API key. Any customer chooses what an upstream answers,
 * so a proxied document must never run as that origin: it is sandboxed (an
 * opaque origin without scripts, whatever the upstream's own policy allows),
 * never sniffed into something runnable, never acts on the whole origin or
 * host (a service worker's scope, clearing the origin's storage, HSTS,
 * alternative services), and its cookies stay under its endpoint's path.
 */
export function confinedToProxy(answer: ProxiedResponse, token: string): ProxiedResponse {
  const headers = { ...answer.headers };
  for (const name of ORIGIN_WIDE_HEADERS) delete headers[name];
  const upstreamPolicy = headers['content-security-policy'];
  // Policies listed with commas are each enforced, so the upstream's cannot loosen this one.
  headers['content-security-policy'] = upstreamPolicy ? `${upstreamPolicy}, sandbox` : 'sandbox';
  headers['x-content-type-options'] = 'nosniff';
  return { ...answer, headers, cookies: answer.cookies.map((cookie) => cookieUnderProxy(cookie, `/proxy/${token}`)) };
}

/**
 * A `Set-Cookie` scoped to the endpoint's proxy path: its `Path` moves under the
 * prefix (`/` → `/proxy/<token>`), a missing one is set to the prefix (the
 * default would be the request's directory, `/proxy` itself for the token's
 * root), and `Domain` goes (it names the upstream's host, not this one).
 */
export function cookieUnderProxy(cookie: string, prefix: string): string {
  const [pair, ...attributes] = cookie.split(';');
  const kept: string[] = [];
  let path = prefix;
  for (const attribute of attributes) {
    const [rawName, ...rawValue] = attribute.split('=');
    const name = rawName!.trim().toLowerCase();
    const value = rawValue.join('=').trim();
    if (name === 'domain') continue;
    if (name === 'path') {
      if (value.startsWith('/') && value !== '/') path = `${prefix}${value}`;
      continue;
    }
    kept.push(attribute.trim());
  }
  return [pair!.trim(), `Path=${path}`, ...kept].join('; ');
}
