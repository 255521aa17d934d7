import { describe, expect, it } from 'vitest';
import { dayWindow, sortDailyCounts, utcDayOf } from '../../../../functions/core/ledger/daily.ts';
import { NO_DEPLOYMENT } from '../../../../functions/core/ledger/history-filter.ts';
import { ledgerLimits } from '../../../../functions/core/ledger/limits.ts';
import { body, ledgerFixture, T0 } from './ledger-fixture.ts';

const DAY = 86_400_000;

describe('daily windows', () => {
  it('ends today (UTC) and spans the number of days asked, today included', () => {
    expect(dayWindow(new Date('2026-11-25T23:59:59.999Z'), 1)).toEqual({ from: '2026-11-25', to: '2026-11-25' });
    expect(dayWindow(new Date('2026-11-25T00:00:00.000Z'), 30)).toEqual({ from: '2026-10-27', to: '2026-11-25' });
    expect(dayWindow(new Date('2026-03-01T08:00:00Z'), 2)).toEqual({ from: '2026-02-28', to: '2026-03-01' });
  });

  it('refuses days outside 1 to the limit', () => {
    for (const days of [0, -1, 1.5, ledgerLimits.maxDailyDays + 1]) expect(() => dayWindow(T0, days), String(days)).toThrow(RangeError);
    expect(dayWindow(T0, ledgerLimits.maxDailyDays).from).toBe(utcDayOf(new Date(T0.getTime() - 89 * DAY)));
  });

  it('takes the UTC day of an instant, whatever its offset', () => {
    expect(utcDayOf('2026-11-25T23:30:00-02:00')).toBe('2026-11-26');
    expect(utcDayOf(new Date('2026-11-25T00:00:00Z'))).toBe('2026-11-25');
  });

  it('orders counts by day, then deployment', () => {
    const count = (day: string, deployment: string) => ({ day, deployment, submissions: 1, divergences: 0 });
    expect(sortDailyCounts([count('2026-11-25', 'b'), count('2026-11-24', 'z'), count('2026-11-25', 'a')])).toEqual([
      count('2026-11-24', 'z'),
      count('2026-11-25', 'a'),
      count('2026-11-25', 'b'),
    ]);
  });
});

describe('ledger dailyStats', () => {
  it('counts submissions and divergences per UTC day and deployment, on the day they were recorded', async () => {
    // Prepare: two days of submissions across two deployments and none
    const { ledger, advance, entries } = ledgerFixture();
    await ledger.submit('acme', 'a', body({ deployment: 'prod', divergences: 2 }));
    await ledger.submit('acme', 'b', body({ deployment: 'prod', divergences: 3 }));
    await ledger.submit('acme', 'c', body({ divergences: 1 }));
    advance(DAY);
    await ledger.submit('acme', 'd', body({ deployment: 'canary', divergences: 0 }));
    await ledger.submit('acme', 'e', body({ deployment: 'prod', divergences: 4 }));
    await ledger.submit('globex', 'f', body({ deployment: 'prod', divergences: 9 }));

    // Act
    const stats = await ledger.dailyStats('acme', { days: 7 });

    // Assess
    expect(entries.map((e) => e.day)).toEqual(['2026-11-25', '2026-11-25', '2026-11-25', '2026-11-26', '2026-11-26', '2026-11-26']);
    expect(stats).toEqual({
      days: 7,
      from: '2026-11-20',
      to: '2026-11-26',
      items: [
        { day: '2026-11-25', deployment: NO_DEPLOYMENT, submissions: 1, divergences: 1 },
        { day: '2026-11-25', deployment: 'prod', submissions: 2, divergences: 5 },
        { day: '2026-11-26', deployment: 'canary', submissions: 1, divergences: 0 },
        { day: '2026-11-26', deployment: 'prod', submissions: 1, divergences: 4 },
      ],
    });
  });

  it('leaves out days before the window', async () => {
    const { ledger, advance } = ledgerFixture();
    await ledger.submit('acme', 'old', body({ deployment: 'prod' }));
    advance(2 * DAY);
    await ledger.submit('acme', 'new', body({ deployment: 'prod' }));
    expect((await ledger.dailyStats('acme', { days: 2 })).items.map((i) => i.day)).toEqual(['2026-11-27']);
    expect((await ledger.dailyStats('acme', { days: 3 })).items.map((i) => i.day)).toEqual(['2026-11-25', '2026-11-27']);
  });

  it('counts an idempotent retry once', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'a', body({ deployment: 'prod', divergences: 2 }), 'key-1');
    const retry = await ledger.submit('acme', 'a', body({ deployment: 'prod', divergences: 2 }), 'key-1');
    expect(retry.replayed).toBe(true);
    expect((await ledger.dailyStats('acme', { days: 1 })).items).toEqual([{ day: '2026-11-25', deployment: 'prod', submissions: 1, divergences: 2 }]);
    expect((await ledger.history('acme', { limit: 10, skip: 0, deployment: 'prod' })).total).toBe(1);
  });

  it('answers no items for an org without submissions', async () => {
    const { ledger } = ledgerFixture();
    expect(await ledger.dailyStats('acme', { days: 30 })).toEqual({ days: 30, from: '2026-10-27', to: '2026-11-25', items: [] });
  });
});
