import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationFailedError } from '../../../../functions/core/errors.ts';
import { encodeCursor } from '../../../../functions/core/cursor.ts';
import { body, idNumber, ledgerFixture } from './ledger-fixture.ts';

const detail = { action_id: 'a1', field: 'output' as const, recorded: 'x', replayed: 'y' };

/** A fixture with `count` submissions to org acme, runs r1…r<count>, each with divergence details. */
async function withSubmissions(count: number) {
  const fixture = ledgerFixture();
  for (let i = 1; i <= count; i++) await fixture.ledger.submit('acme', `r${i}`, body({ divergence_details: [detail] }));
  return fixture;
}

describe('ledger history', () => {
  it('lists newest first, without divergence_details, with the total from the org totals', async () => {
    // Prepare
    const { ledger } = await withSubmissions(5);

    // Act
    const page = await ledger.history('acme', { limit: 2, skip: 0 });

    // Assess
    expect(page.items.map((s) => s.run_id)).toEqual(['r5', 'r4']);
    for (const item of page.items) expect(item).not.toHaveProperty('divergence_details');
    expect(page).toMatchObject({ total: 5, skip: 0, limit: 2 });
    expect(page.next_cursor).toEqual(encodeCursor(idNumber(4)));
  });

  it('passes skip to the store when there is no cursor, and echoes it', async () => {
    const { ledger, pageRequests } = await withSubmissions(5);
    const page = await ledger.history('acme', { limit: 2, skip: 3 });
    expect(pageRequests.at(-1)).toEqual({ orgId: 'acme', request: { limit: 2, skip: 3 } });
    expect(page.items.map((s) => s.run_id)).toEqual(['r2', 'r1']);
    expect(page).toMatchObject({ skip: 3, limit: 2, total: 5, next_cursor: null });
  });

  it('continues after the cursor id instead of skipping', async () => {
    const { ledger, pageRequests } = await withSubmissions(5);
    const first = await ledger.history('acme', { limit: 2, skip: 0 });
    const second = await ledger.history('acme', { limit: 2, skip: 0, cursor: first.next_cursor! });
    expect(pageRequests.at(-1)).toEqual({ orgId: 'acme', request: { limit: 2, afterId: idNumber(4) } });
    expect(second.items.map((s) => s.run_id)).toEqual(['r3', 'r2']);
  });

  it('walks every submission exactly once by following next_cursor', async () => {
    const { ledger } = await withSubmissions(7);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ledger.history('acme', { limit: 3, skip: 0, cursor });
      seen.push(...page.items.map((s) => s.run_id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(seen).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(pages).toBe(3);
  });

  it('gives no next_cursor when the page ends exactly at the last item', async () => {
    const { ledger } = await withSubmissions(4);
    const first = await ledger.history('acme', { limit: 2, skip: 0 });
    const second = await ledger.history('acme', { limit: 2, skip: 0, cursor: first.next_cursor! });
    expect(first.next_cursor).not.toBeNull();
    expect(second.items).toHaveLength(2);
    expect(second.next_cursor).toBeNull();
    expect((await ledger.history('acme', { limit: 4, skip: 0 })).next_cursor).toBeNull();
  });

  it('answers an empty page, not an error, for an org without submissions', async () => {
    const { ledger } = await withSubmissions(2);
    expect(await ledger.history('globex', { limit: 10, skip: 0 })).toEqual({ items: [], total: 0, skip: 0, limit: 10, next_cursor: null });
  });

  it('keeps divergence_details in the store while leaving them out of the list', async () => {
    const { ledger, stored } = await withSubmissions(1);
    await ledger.history('acme', { limit: 10, skip: 0 });
    expect(stored('acme')[0]?.divergence_details).toEqual([detail]);
  });

  it('refuses a garbage cursor as a 422 on query.cursor before reading anything', async () => {
    const { ledger, pageRequests } = await withSubmissions(1);
    const before = pageRequests.length;
    const failure = ledger.history('acme', { limit: 10, skip: 0, cursor: 'not-a-cursor' });
    await expect(failure).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(failure).rejects.toMatchObject({ status: 422, issues: [{ loc: ['query', 'cursor'] }] });
    expect(pageRequests).toHaveLength(before);
  });
});

describe('ledger runHistory', () => {
  it("lists one run's submissions newest first, with their divergence_details", async () => {
    // Prepare
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'x', body({ divergences: 1, divergence_details: [detail] }));
    await ledger.submit('acme', 'y', body());
    await ledger.submit('acme', 'x', body({ divergences: 2, divergence_details: [detail, { action_id: 'a2', field: 'input' }] }));

    // Act
    const page = await ledger.runHistory('acme', 'x', { limit: 10 });

    // Assess
    expect(page.run_id).toBe('x');
    expect(page.total).toBe(2);
    expect(page.next_cursor).toBeNull();
    expect(page.items.map((s) => s.divergences)).toEqual([2, 1]);
    expect(page.items[0]?.divergence_details).toEqual([detail, { action_id: 'a2', field: 'input' }]);
    expect(page.items[1]?.divergence_details).toEqual([detail]);
  });

  it('pages a run with cursors, the total staying the run total', async () => {
    const { ledger, pageRequests } = ledgerFixture();
    for (let i = 0; i < 5; i++) await ledger.submit('acme', 'x', body({ divergences: i }));
    await ledger.submit('acme', 'other', body());
    const first = await ledger.runHistory('acme', 'x', { limit: 3 });
    const second = await ledger.runHistory('acme', 'x', { limit: 3, cursor: first.next_cursor! });
    expect(first.items.map((s) => s.divergences)).toEqual([4, 3, 2]);
    expect(second.items.map((s) => s.divergences)).toEqual([1, 0]);
    expect([first.total, second.total]).toEqual([5, 5]);
    expect(second.next_cursor).toBeNull();
    expect(pageRequests.at(-1)).toEqual({ orgId: 'acme', runId: 'x', request: { limit: 3, afterId: idNumber(3) } });
  });

  it('is a 404 run_not_found for a run without submissions, also when another org has it', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'x', body());
    for (const [org, run] of [
      ['acme', 'nope'],
      ['globex', 'x'],
    ] as const) {
      const missing = ledger.runHistory(org, run, { limit: 10 });
      await expect(missing).rejects.toBeInstanceOf(NotFoundError);
      await expect(missing).rejects.toMatchObject({ status: 404, code: 'run_not_found' });
    }
  });

  it('refuses a garbage cursor as a 422 on query.cursor', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'x', body());
    await expect(ledger.runHistory('acme', 'x', { limit: 10, cursor: '%%%' })).rejects.toMatchObject({
      status: 422,
      issues: [{ loc: ['query', 'cursor'], type: 'value_error' }],
    });
  });
});
