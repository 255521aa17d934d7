import { z } from 'zod';

/**
 * An integer query parameter. Query values arrive as text; parsing them here
 * (instead of `z.coerce`) keeps what the caller sent in the 422's `input`.
 */
export function queryInteger(options: { min: number; max: number; default: number }) {
  return z
    .string()
    .refine((text) => /^-?\d+$/.test(text), { message: 'Input should be a valid integer', params: { type: 'int_parsing' } })
    .transform(Number)
    .pipe(z.number().int().min(options.min).max(options.max))
    .optional()
    .transform((value) => value ?? options.default)
    .meta({ type: 'integer', minimum: options.min, maximum: options.max, default: options.default });
}
