/** Header rules shared by the proxy, the recorder and the replayer (names are lower-case throughout). */

/** RFC 9110 §7.6.1 connection-specific headers, and the framing headers a hop recomputes. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length', 'host']);

/** Redacted at record time on every endpoint. */
export const ALWAYS_REDACTED = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key'] as const;
export const REDACTED_VALUE = '[redacted]';

/** A header name as RFC 9110 allows it (a token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** The headers without hop-by-hop ones (those named by `connection` included). */
export function withoutHopByHop(headers: Record<string, string>): Record<string, string> {
  const connection = Object.entries(headers).find(([name]) => name.toLowerCase() === 'connection')?.[1] ?? '';
  const named = new Set(connection.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !named.has(lower)) out[lower] = value;
  }
  return out;
}

/** The headers with secret values replaced, and which names were. */
export function redact(headers: Record<string, string>, extra: readonly string[]): { headers: Record<string, string>; redacted: string[] } {
  const secret = new Set([...ALWAYS_REDACTED, ...extra.map((name) => name.toLowerCase())]);
  const out: Record<string, string> = {};
  const redacted: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (secret.has(lower)) {
      out[lower] = REDACTED_VALUE;
      redacted.push(lower);
    } else {
      out[lower] = value;
    }
  }
  return { headers: out, redacted };
}

/** Whether a header's value is a secret on this endpoint (to show override values safely). */
export function isSecretHeader(name: string, extra: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return (ALWAYS_REDACTED as readonly string[]).includes(lower) || extra.some((other) => other.toLowerCase() === lower);
}

/**
 * The headers a replayed request carries: the recorded ones without hop-by-hop
 * headers and without redacted ones (whose values were never kept), then the
 * overrides, added or replacing case-insensitively. `host` is the target's.
 */
export function replayHeaders(recorded: Record<string, string>, redacted: readonly string[], overrides: Record<string, string>): Record<string, string> {
  const dropped = new Set(redacted);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(withoutHopByHop(recorded))) if (!dropped.has(name)) out[name] = value;
  for (const [name, value] of Object.entries(overrides)) out[name.toLowerCase()] = value;
  delete out.host;
  return out;
}
