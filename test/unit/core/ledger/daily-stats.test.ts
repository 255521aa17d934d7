import { describe, expect, it } from 'vitest';
import { dayWindow, sortDailyCounts, utcDayOf, windowOf } from '../../../../functions/core/ledger/daily.ts';
import { createLedgerService } from '../../../../functions/core/ledger/ledger-service.ts';
import type { LedgerStore } from '../../../../functions/core/ledger/ledger-store.ts';
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

describe('daily stats bounds', () => {
  const count = (day: string, deployment: string, submissions = 1, divergences = 0) => ({ day, deployment, submissions, divergences });

  it('answer the 20 busiest deployments of the window and sum the others per day as (other)', async () => {
    // Prepare: 25 deployments; dep-00 … dep-24, the lower the number the busier (over two days).
    const { ledger, advance } = ledgerFixture();
    for (let i = 0; i < 25; i++) {
      for (let n = 0; n < 25 - i; n++) await ledger.submit('acme', `run-${i}-${n}`, body({ deployment: `dep-${String(i).padStart(2, '0')}`, divergences: 1 }));
    }
    advance(DAY);
    await ledger.submit('acme', 'late-quiet', body({ deployment: 'dep-24', divergences: 2 }));
    await ledger.submit('acme', 'late-busy', body({ deployment: 'dep-00', divergences: 0 }));

    // Act
    const stats = await ledger.dailyStats('acme', { days: 7 });

    // Assess
    const deployments = new Set(stats.items.map((item) => item.deployment));
    expect(deployments.size).toBe(ledgerLimits.maxDailyDeployments + 1);
    expect(deployments.has('dep-19')).toBe(true);
    expect(deployments.has('dep-20')).toBe(false);
    expect(stats.items.filter((item) => item.deployment === '(other)')).toEqual([
      // dep-20 … dep-24 on the first day: 5 + 4 + 3 + 2 + 1 submissions, one divergence each.
      count('2026-11-25', '(other)', 15, 15),
      count('2026-11-26', '(other)', 1, 2),
    ]);
    const total = (items: { submissions: number }[]) => items.reduce((sum, item) => sum + item.submissions, 0);
    expect(total(stats.items)).toBe(325 + 2);
    expect(ledgerLimits.maxDailyDeployments).toBe(20);
  });

  it('count a deployment named (other) with the others, so no answer holds two (other) series', async () => {
    const { ledger } = ledgerFixture();
    for (let i = 0; i < 21; i++) await ledger.submit('acme', `run-${i}`, body({ deployment: `dep-${String(i).padStart(2, '0')}` }));
    await ledger.submit('acme', 'named-other', body({ deployment: '(other)' }));
    await ledger.submit('acme', 'named-other-2', body({ deployment: '(other)' }));

    const stats = await ledger.dailyStats('acme', { days: 1 });

    expect(stats.items.filter((item) => item.deployment === '(other)')).toEqual([count('2026-11-25', '(other)', 3, 3)]);
  });

  it('read at most the stated number of counters, newest days first, and start the answer at the oldest day read whole', () => {
    const newestFirst = [count('2026-11-26', 'b'), count('2026-11-26', 'a'), count('2026-11-25', 'c'), count('2026-11-25', 'b'), count('2026-11-25', 'a')];

    expect(windowOf(newestFirst, 5)).toEqual({ items: newestFirst, complete: true });
    expect(windowOf(newestFirst, 3)).toEqual({ items: newestFirst.slice(0, 2), complete: false, firstWholeDay: '2026-11-26' });
    expect(windowOf(newestFirst, 1)).toEqual({ items: [], complete: false, firstWholeDay: '2026-11-27' });
    expect(ledgerLimits.maxDailyCountersRead).toBe(20_000);
  });

  it('say in `from` where an answer cut by the read limit starts', async () => {
    const store: Pick<LedgerStore, 'daily'> = {
      daily: async () => ({ items: [count('2026-11-26', 'prod', 2)], complete: false, firstWholeDay: '2026-11-26' }),
    };
    const ledger = createLedgerService({ store: store as LedgerStore, now: () => new Date('2026-11-26T12:00:00Z'), newId: () => 'unused' });

    const stats = await ledger.dailyStats('acme', { days: 30 });

    expect(stats).toEqual({ days: 30, from: '2026-11-26', to: '2026-11-26', items: [count('2026-11-26', 'prod', 2)] });
  });
});
