import { z } from 'zod';

/** RFC 3339 date-time: "T" and "Z" in either case, an offset or Z, optional fractions. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Whether `text` is an RFC 3339 date-time of a day and time that exist (no 2026-02-30, no 24:00). */
export function isRfc3339(text: string): boolean {
  const match = RFC3339.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [offsetHours, offsetMinutes] = [Number(match[9] ?? 0), Number(match[10] ?? 0)];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    month >= 1 &&
    month <= 12 &&
    date.getUTCDate() === day &&
    date.getUTCMonth() === month - 1 &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

/**
 * An RFC 3339 date-time field, the same on every route: refused (type
 * `datetime_parsing`) unless it names an instant that exists; kept with
 * "T" and "Z" in upper case.
 */
export function rfc3339(message = 'Input should be an RFC 3339 date-time of a day that exists, e.g. 2026-12-01T09:00:00Z') {
  return z
    .string()
    .refine(isRfc3339, { message, params: { type: 'datetime_parsing' } })
    .meta({ format: 'date-time' })
    .transform((text) => text.toUpperCase());
}
