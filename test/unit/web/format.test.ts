import { describe, expect, it } from 'vitest';
import { firstResultCurl } from '../../../web/src/first-result.ts';
import { formatCount, formatDay, formatJsonValue, formatLocalTime, formatUsd, plural } from '../../../web/src/format.ts';

describe('page formats', () => {
  it('shows USD with two decimals and grouping', () => {
    expect(formatUsd(0, 'en-US')).toBe('$0.00');
    expect(formatUsd(1234.5, 'en-US')).toBe('$1,234.50');
    expect(formatUsd(0.005, 'en-US')).toBe('$0.01');
    expect(formatUsd(10_000_000_000, 'en-US')).toBe('$10,000,000,000.00');
  });

  it('shows counts and plurals', () => {
    expect(formatCount(1_234_567, 'en-US')).toBe('1,234,567');
    expect(plural(1, 'submission', undefined, 'en-US')).toBe('1 submission');
    expect(plural(2_000, 'submission', undefined, 'en-US')).toBe('2,000 submissions');
  });

  it('shows values as JSON text, so "42" and 42 differ, and says when one was not sent', () => {
    expect(formatJsonValue('42')).toBe('"42"');
    expect(formatJsonValue(42)).toBe('42');
    expect(formatJsonValue(null)).toBe('null');
    expect(formatJsonValue({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(formatJsonValue('<img src=x onerror=alert(1)>')).toBe('"<img src=x onerror=alert(1)>"');
    expect(formatJsonValue(undefined)).toBe('(not sent)');
  });

  it('shows instants in local time and UTC days as short dates', () => {
    expect(formatLocalTime('2026-11-25T12:00:00.000Z', 'en-US')).toMatch(/Nov 25, 2026/);
    expect(formatLocalTime('not a time')).toBe('not a time');
    expect(formatDay('2026-11-25', 'en-US')).toBe('Nov 25');
  });

  it('offers a curl line to the page’s own origin with a valid body', () => {
    const command = firstResultCurl('https://reprise.example.com');
    expect(command).toContain("'https://reprise.example.com/api/v1/replay/my-first-run/results'");
    expect(command).toContain('Authorization: Bearer $REPRISE_API_KEY');
    const body = /-d '([^']+)'/.exec(command)?.[1];
    expect(JSON.parse(body!)).toMatchObject({ status: 'success', actions_replayed: 10, actions_total: 10, divergences: 0, cost_savings: 0.42 });
  });
});
