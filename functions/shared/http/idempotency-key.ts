import { z } from 'zod';

/** Longest `Idempotency-Key` any route takes. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/** The optional `Idempotency-Key` request header of a create that may be retried. */
export const idempotencyKeyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_CHARS)
    .regex(/^[\x21-\x7e]+$/, 'Idempotency-Key must be printable ASCII without spaces')
    .optional(),
});

/** The header that tells a client its retry was answered with the first result. */
export function replayedHeaders(replayed: boolean): Record<string, string> {
  return replayed ? { 'idempotent-replayed': 'true' } : {};
}
