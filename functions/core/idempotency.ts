import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * What a write stores to make an `Idempotency-Key` take effect once: the
 * key's hash (never the key), the fingerprint of the request it was first
 * used with, and when it stops counting.
 */
export interface IdempotencyClaim {
  keyHash: string;
  fingerprint: string;
  expiresAtEpochSeconds: number;
  /** A stored claim that expired before this counts as absent (TTL deletion lags). */
  nowEpochSeconds: number;
}

/**
 * Whether a stored claim has stopped counting at `nowEpochSeconds`: a key is
 * remembered for the window `[first use, first use + window)`, so at exactly
 * `expires_at` it is over. The stores' conditions say the same
 * (`expires_at <= :now` is expired), and the in-memory fake uses this.
 */
export function claimExpired(expiresAtEpochSeconds: number, nowEpochSeconds: number): boolean {
  return expiresAtEpochSeconds <= nowEpochSeconds;
}

/** The claim of `key` for `request` at `now`, remembered for `windowHours`. */
export function idempotencyClaim(key: string, request: unknown, now: Date, windowHours: number): IdempotencyClaim {
  const nowEpochSeconds = Math.floor(now.getTime() / 1000);
  return { keyHash: sha256(key), fingerprint: fingerprintOf(request), nowEpochSeconds, expiresAtEpochSeconds: nowEpochSeconds + windowHours * 3600 };
}

/** Two requests are "the same" when their canonical JSON (RFC 8785) is. */
export function fingerprintOf(request: unknown): string {
  return sha256(canonicalize(request) ?? '');
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
