import { describe, expect, it } from 'vitest';
import { NO_DEPLOYMENT } from '../../../../functions/core/ledger/history-filter.ts';
import type { ReplayStatus } from '../../../../functions/core/ledger/submission.ts';
import { body, idNumber, ledgerFixture } from './ledger-fixture.ts';

/** r1…r9: statuses cycle success, partial, failed; deployments cycle prod, canary, none. */
async function withMixedSubmissions() {
  const fixture = ledgerFixture();
  const statuses: ReplayStatus[] = ['success', 'partial', 'failed'];
  const deployments = ['prod', 'canary', undefined];
  for (let i = 1; i <= 9; i++) {
    const deployment = deployments[Math.floor((i - 1) / 3) % 3];
    await fixture.ledger.submit('acme', `r${i}`, body({ status: statuses[(i - 1) % 3]!, ...(deployment ? { deployment } : {}) }));
  }
  return fixture;
}

describe('ledger history filters', () => {
  it('narrows to one status, newest first, with the filtered total', async () => {
    // Prepare
    const { ledger, pageRequests } = await withMixedSubmissions();

    // Act
    const page = await ledger.history('acme', { limit: 10, skip: 0, status: 'failed' });

    // Assess
    expect(page.items.map((s) => s.run_id)).toEqual(['r9', 'r6', 'r3']);
    expect(page.total).toBe(3);
    expect(pageRequests.at(-1)).toEqual({ orgId: 'acme', request: { limit: 10, skip: 0 }, filter: { status: 'failed' } });
  });

  it('narrows to one deployment', async () => {
    const { ledger } = await withMixedSubmissions();
    const page = await ledger.history('acme', { limit: 10, skip: 0, deployment: 'canary' });
    expect(page.items.map((s) => s.run_id)).toEqual(['r6', 'r5', 'r4']);
    expect(page.total).toBe(3);
  });

  it(`lists submissions sent without a deployment under ${NO_DEPLOYMENT}`, async () => {
    const { ledger, entries } = await withMixedSubmissions();
    const page = await ledger.history('acme', { limit: 10, skip: 0, deployment: NO_DEPLOYMENT });
    expect(page.items.map((s) => s.run_id)).toEqual(['r9', 'r8', 'r7']);
    for (const item of page.items) expect(item).not.toHaveProperty('deployment');
    expect(entries.map((e) => e.deployment)).toEqual(['prod', 'prod', 'prod', 'canary', 'canary', 'canary', NO_DEPLOYMENT, NO_DEPLOYMENT, NO_DEPLOYMENT]);
  });

  it('combines status and deployment as their intersection', async () => {
    const { ledger } = await withMixedSubmissions();
    const page = await ledger.history('acme', { limit: 10, skip: 0, status: 'partial', deployment: 'canary' });
    expect(page.items.map((s) => s.run_id)).toEqual(['r5']);
    expect(page.total).toBe(1);
    expect(await ledger.history('acme', { limit: 10, skip: 0, status: 'partial', deployment: 'nowhere' })).toMatchObject({ items: [], total: 0, next_cursor: null });
  });

  it('pages within a filter with cursors, each item once, the total staying the filtered one', async () => {
    // Prepare
    const fixture = ledgerFixture();
    for (let i = 1; i <= 12; i++) await fixture.ledger.submit('acme', `r${i}`, body({ status: i % 2 ? 'failed' : 'success' }));

    // Act
    const seen: string[] = [];
    const totals: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await fixture.ledger.history('acme', { limit: 4, skip: 0, status: 'failed', cursor });
      seen.push(...page.items.map((s) => s.run_id));
      totals.push(page.total);
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined && totals.length < 10);

    // Assess
    expect(seen).toEqual(['r11', 'r9', 'r7', 'r5', 'r3', 'r1']);
    expect(totals).toEqual([6, 6]);
    expect(fixture.pageRequests.at(-1)).toEqual({ orgId: 'acme', request: { limit: 4, afterId: idNumber(5) }, filter: { status: 'failed' } });
  });

  it('asks the store for the whole org when no filter is given', async () => {
    const { ledger, pageRequests } = await withMixedSubmissions();
    const page = await ledger.history('acme', { limit: 2, skip: 0 });
    expect(pageRequests.at(-1)).toEqual({ orgId: 'acme', request: { limit: 2, skip: 0 } });
    expect(page.total).toBe(9);
  });
});
