import { isIP } from 'node:net';
import { createAddressPolicy } from './address-policy.ts';

/**
 * Why a user-supplied URL is refused before any request is made, or
 * undefined: not http(s), carrying credentials, or naming a literal address
 * that is not public. Names are checked where it counts, at every connection.
 */
export function urlRefusal(raw: string, options: { allowLoopback: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry credentials; send them as headers';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) !== 0 && !createAddressPolicy({ allowLoopback: options.allowLoopback }).permits(host)) {
    return `points to ${host}, which is not a public address (loopback, private, link-local or reserved)`;
  }
  return undefined;
}

/** The local platform's opt-in (`REPRISE_ALLOW_LOOPBACK_TARGETS=true`, never on AWS) to loopback targets. */
export function loopbackTargetsAllowed(): boolean {
  return process.env.REPRISE_ALLOW_LOOPBACK_TARGETS === 'true';
}
