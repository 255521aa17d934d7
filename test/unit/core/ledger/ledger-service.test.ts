import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../../../functions/core/errors.ts';
import { decodeCursor, encodeCursor } from '../../../../functions/core/ledger/cursor.ts';
import { createLedgerService } from '../../../../functions/core/ledger/ledger-service.ts';
import type { ReplayResultInput } from '../../../../functions/core/ledger/submission.ts';
import { inMemoryLedgerStore } from './in-memory-ledger-store.ts';

const input = (overrides: Partial<ReplayResultInput> = {}): ReplayResultInput => ({
  status: 'success',
  actions_replayed: 3,
  actions_total: 4,
  divergences: 1,
  cost_savings: 0.1,
  ...overrides,
});

function service() {
  let n = 0;
  const store = inMemoryLedgerStore();
  const ids = () => `01900000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
  return { store, ledger: createLedgerService({ store, now: () => new Date('2026-11-25T12:00:00.000Z'), newId: ids }) };
}

describe('the ledger service', () => {
  it('builds a submission from the clock, the id generator and the run', async () => {
    const { ledger } = service();
    const { submission, replayed } = await ledger.submit('org', 'run-1', input({ deployment: 'prod' }));
    expect(replayed).toBe(false);
    expect(submission).toEqual({ id: '01900000-0000-7000-8000-000000000001', run_id: 'run-1', submitted_at: '2026-11-25T12:00:00.000Z', ...input({ deployment: 'prod' }) });
  });

  it('sums money in micro-dollars, so many small amounts stay exact', async () => {
    const { ledger } = service();
    for (let i = 0; i < 1_000; i++) await ledger.submit('org', 'r', input({ cost_savings: 0.1 }));
    await ledger.submit('org', 'r', input({ cost_savings: 0.2 }));
    expect((await ledger.stats('org')).cost_saved).toBe(100.2);
  });

  it('returns the first submission for a retried idempotency key', async () => {
    const { ledger, store } = service();
    const first = await ledger.submit('org', 'r', input(), 'key');
    const retry = await ledger.submit('org', 'r', input(), 'key');
    expect(retry).toEqual({ submission: first.submission, replayed: true });
    expect(store.submissions.get('org')).toHaveLength(1);
  });

  it('compares bodies canonically: key order does not matter', async () => {
    const { ledger } = service();
    await ledger.submit('org', 'r', { cost_savings: 0.1, divergences: 1, actions_total: 4, actions_replayed: 3, status: 'success' }, 'key');
    expect((await ledger.submit('org', 'r', input(), 'key')).replayed).toBe(true);
  });

  it('refuses an idempotency key reused with another body or run', async () => {
    const { ledger } = service();
    await ledger.submit('org', 'r', input(), 'key');
    const otherBody = ledger.submit('org', 'r', input({ divergences: 2 }), 'key');
    await expect(otherBody).rejects.toBeInstanceOf(ConflictError);
    await expect(otherBody).rejects.toMatchObject({ status: 409, code: 'idempotency_key_reused' });
    await expect(ledger.submit('org', 'other-run', input(), 'key')).rejects.toBeInstanceOf(ConflictError);
  });

  it('scopes idempotency keys to the org', async () => {
    const { ledger } = service();
    await ledger.submit('org-a', 'r', input(), 'key');
    expect((await ledger.submit('org-b', 'r', input({ divergences: 9 }), 'key')).replayed).toBe(false);
  });

  it('lists history newest first without details, with a cursor only when more follow', async () => {
    const { ledger } = service();
    for (let i = 0; i < 5; i++) await ledger.submit('org', `r${i}`, input({ divergence_details: [{ action_id: 'a', field: 'input' }] }));
    const first = await ledger.history('org', { limit: 2, skip: 0 });
    expect(first.items.map((s) => s.run_id)).toEqual(['r4', 'r3']);
    expect(first.items[0]).not.toHaveProperty('divergence_details');
    expect(first).toMatchObject({ total: 5, skip: 0, limit: 2 });
    const second = await ledger.history('org', { limit: 2, skip: 0, cursor: first.next_cursor! });
    expect(second.items.map((s) => s.run_id)).toEqual(['r2', 'r1']);
    const last = await ledger.history('org', { limit: 2, skip: 0, cursor: second.next_cursor! });
    expect(last.items.map((s) => s.run_id)).toEqual(['r0']);
    expect(last.next_cursor).toBeNull();
    expect((await ledger.history('org', { limit: 10, skip: 3 })).items.map((s) => s.run_id)).toEqual(['r1', 'r0']);
  });

  it("lists a run's submissions with details, and 404s a run without any", async () => {
    const { ledger } = service();
    await ledger.submit('org', 'x', input({ divergence_details: [{ action_id: 'a', field: 'output', recorded: 1, replayed: 2 }] }));
    const page = await ledger.runHistory('org', 'x', { limit: 10 });
    expect(page).toMatchObject({ run_id: 'x', total: 1, next_cursor: null });
    expect(page.items[0]?.divergence_details).toEqual([{ action_id: 'a', field: 'output', recorded: 1, replayed: 2 }]);
    await expect(ledger.runHistory('org', 'y', { limit: 10 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.runHistory('other-org', 'x', { limit: 10 })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('history cursors', () => {
  const id = '01900000-0000-7abc-8000-000000000001';

  it('round-trip an id and carry no tenant', () => {
    const cursor = encodeCursor(id);
    expect(decodeCursor(cursor)).toBe(id);
    expect(Buffer.from(cursor, 'base64url').toString()).toBe(`c1:${id}`);
  });

  it.each(['garbage', encodeCursor('not-an-id'), Buffer.from(`c2:${id}`).toString('base64url'), ''])('refuse %j as a 422 on query.cursor', (cursor) => {
    let caught: unknown;
    try {
      decodeCursor(cursor);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationFailedError);
    expect((caught as ValidationFailedError).issues[0]?.loc).toEqual(['query', 'cursor']);
  });
});
