import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRfc3339, rfc3339 } from '../../../../functions/shared/http/rfc3339.ts';

describe('isRfc3339', () => {
  it.each([
    '2026-12-01T09:00:00Z',
    '2026-12-01t09:00:00z',
    '2024-02-29T23:59:59.123456+14:00',
    '2026-01-31T00:00:00-23:59',
    '0001-01-01T00:00:00Z',
  ])('accepts %s', (text) => {
    expect(isRfc3339(text)).toBe(true);
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T23:60:00Z',
    '2026-12-01T23:59:60Z',
    '2026-12-01T09:00:00+24:00',
    '2026-12-01T09:00:00',
    '2026-12-01 09:00:00Z',
    '2026-12-01',
  ])('refuses %s', (text) => {
    expect(isRfc3339(text)).toBe(false);
  });

  it('agrees with the calendar on every day of 400 years', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1600, max: 1999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
        const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00Z`;
        const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
        expect(isRfc3339(text)).toBe(day <= daysInMonth);
      }),
      { seed: 14, numRuns: 2_000 },
    );
  });

  it('keeps T and Z upper case and documents the format', () => {
    expect(rfc3339().parse('2026-12-01t09:00:00z')).toBe('2026-12-01T09:00:00Z');
  });
});
