import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../../functions/core/errors.ts';
import { body, idNumber, ledgerFixture, T0 } from './ledger-fixture.ts';

describe('ledger submit', () => {
  it('builds id, run_id and submitted_at from the injected id generator and clock', async () => {
    // Prepare
    const { ledger, advance, stored } = ledgerFixture();

    // Act
    const first = await ledger.submit('acme', 'run-1', body({ deployment: 'prod' }));
    advance(1_500);
    const second = await ledger.submit('acme', 'run-2', body());

    // Assess
    expect(first).toEqual({
      replayed: false,
      submission: { id: idNumber(1), run_id: 'run-1', submitted_at: '2026-11-25T12:00:00.000Z', kind: 'sdk', ...body({ deployment: 'prod' }) },
    });
    expect(second.submission).toMatchObject({ id: idNumber(2), run_id: 'run-2', submitted_at: '2026-11-25T12:00:01.500Z' });
    expect(stored('acme').map((s) => s.id)).toEqual([idNumber(1), idNumber(2)]);
  });

  it('hands the store the cost in integer micro-dollars', async () => {
    const { ledger, entries } = ledgerFixture();
    await ledger.submit('acme', 'r', body({ cost_savings: 0.1 }));
    await ledger.submit('acme', 'r', body({ cost_savings: 0.000001 }));
    await ledger.submit('acme', 'r', body({ cost_savings: 0 }));
    await ledger.submit('acme', 'r', body({ cost_savings: 123.456789 }));
    expect(entries.map((e) => e.costSavedMicros)).toEqual([100_000, 1, 0, 123_456_789]);
    for (const entry of entries) expect(Number.isInteger(entry.costSavedMicros)).toBe(true);
  });

  it('sums 0.1 and 0.2 over many submissions exactly, where floating-point addition drifts', async () => {
    // Prepare
    const { ledger } = ledgerFixture();
    let naive = 0;

    // Act
    for (let i = 0; i < 1_000; i++) {
      const amount = i % 2 === 0 ? 0.1 : 0.2;
      naive += amount;
      await ledger.submit('acme', `r${i}`, body({ cost_savings: amount }));
    }
    const stats = await ledger.stats('acme');

    // Assess
    expect(naive).not.toBe(150); // the drift the micro-dollar sum avoids
    expect(stats.cost_saved).toBe(150);
    expect(stats.cost_saved.toFixed(6)).toBe('150.000000');
  });

  it('keeps 0.1 + 0.2 exact to six decimals', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'a', body({ cost_savings: 0.1 }));
    await ledger.submit('acme', 'b', body({ cost_savings: 0.2 }));
    expect(0.1 + 0.2).not.toBe(0.3);
    expect((await ledger.stats('acme')).cost_saved).toBe(0.3);
  });

  it('adds up counts in stats per org', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'a', body({ actions_replayed: 2, actions_total: 5, divergences: 1, cost_savings: 1.5 }));
    await ledger.submit('acme', 'b', body({ actions_replayed: 7, actions_total: 7, divergences: 0, cost_savings: 2.25 }));
    await ledger.submit('other', 'a', body({ actions_replayed: 100, divergences: 50, cost_savings: 99 }));
    expect(await ledger.stats('acme')).toEqual({ submissions: 2, actions_replayed: 9, divergences: 1, cost_saved: 3.75 });
    expect(await ledger.stats('nobody')).toEqual({ submissions: 0, actions_replayed: 0, divergences: 0, cost_saved: 0 });
  });

  it('stores no idempotency record without a key, so identical bodies are two submissions', async () => {
    const { ledger, entries, stored } = ledgerFixture();
    const one = await ledger.submit('acme', 'r', body());
    const two = await ledger.submit('acme', 'r', body());
    expect(one.replayed || two.replayed).toBe(false);
    expect(one.submission.id).not.toBe(two.submission.id);
    expect(entries.every((e) => e.idempotency === undefined)).toBe(true);
    expect(stored('acme')).toHaveLength(2);
  });

  it('remembers an idempotency key by its SHA-256 for 24 hours', async () => {
    const { ledger, entries } = ledgerFixture();
    await ledger.submit('acme', 'r', body(), 'retry-me');
    const idempotency = entries[0]?.idempotency;
    expect(idempotency?.keyHash).toBe(createHash('sha256').update('retry-me').digest('hex'));
    expect(idempotency?.nowEpochSeconds).toBe(T0.getTime() / 1000);
    expect(idempotency?.expiresAtEpochSeconds).toBe(T0.getTime() / 1000 + 24 * 3600);
    expect(idempotency?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('ledger submit with an idempotency key', () => {
  it('returns the first submission, replayed, for a retry with the same body', async () => {
    // Prepare
    const { ledger, advance, stored } = ledgerFixture();
    const first = await ledger.submit('acme', 'r', body(), 'k1');
    advance(60_000);

    // Act
    const retry = await ledger.submit('acme', 'r', body(), 'k1');

    // Assess
    expect(first.replayed).toBe(false);
    expect(retry).toEqual({ submission: first.submission, replayed: true });
    expect(retry.submission.submitted_at).toBe('2026-11-25T12:00:00.000Z');
    expect(stored('acme')).toHaveLength(1);
    expect((await ledger.stats('acme')).submissions).toBe(1);
  });

  it('refuses the same key with another body as a 409 idempotency_key_reused, and records nothing', async () => {
    const { ledger, stored } = ledgerFixture();
    await ledger.submit('acme', 'r', body(), 'k1');

    const reused = ledger.submit('acme', 'r', body({ divergences: 2 }), 'k1');

    await expect(reused).rejects.toBeInstanceOf(ConflictError);
    await expect(reused).rejects.toMatchObject({ status: 409, code: 'idempotency_key_reused' });
    expect(stored('acme')).toHaveLength(1);
    expect((await ledger.stats('acme')).divergences).toBe(1);
  });

  it('refuses the same key and body for another run', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'run-a', body(), 'k1');
    await expect(ledger.submit('acme', 'run-b', body(), 'k1')).rejects.toMatchObject({ status: 409, code: 'idempotency_key_reused' });
  });

  it('fingerprints canonical JSON: key order, at any depth, does not matter', async () => {
    const { ledger } = ledgerFixture();
    const details = [{ action_id: 'a1', field: 'output' as const, recorded: { x: 1, y: [1, { p: 1, q: 2 }] }, replayed: { y: [1, { q: 2, p: 1 }], x: 1 } }];
    await ledger.submit('acme', 'r', { status: 'partial', actions_replayed: 1, actions_total: 2, divergences: 1, cost_savings: 0.5, divergence_details: details }, 'k1');

    const reordered = {
      divergence_details: [{ replayed: { x: 1, y: [1, { p: 1, q: 2 }] }, recorded: { y: [1, { q: 2, p: 1 }], x: 1 }, field: 'output' as const, action_id: 'a1' }],
      cost_savings: 0.5,
      divergences: 1,
      actions_total: 2,
      actions_replayed: 1,
      status: 'partial' as const,
    };
    const retry = await ledger.submit('acme', 'r', reordered, 'k1');

    expect(retry.replayed).toBe(true);
  });

  it('tells values apart inside nested details', async () => {
    const { ledger } = ledgerFixture();
    const withDetail = (recorded: unknown) => body({ divergence_details: [{ action_id: 'a1', field: 'input', recorded }] });
    await ledger.submit('acme', 'r', withDetail({ n: 1 }), 'k1');
    await expect(ledger.submit('acme', 'r', withDetail({ n: '1' }), 'k1')).rejects.toBeInstanceOf(ConflictError);
  });

  it('treats an optional field left out and one parsed to undefined as the same body', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'r', body(), 'k1');
    expect((await ledger.submit('acme', 'r', body({ deployment: undefined }), 'k1')).replayed).toBe(true);
  });

  it('scopes keys to the org', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'r', body(), 'k1');
    const elsewhere = await ledger.submit('globex', 'r', body({ divergences: 3 }), 'k1');
    expect(elsewhere.replayed).toBe(false);
  });

  it('does not mix up different keys', async () => {
    const { ledger } = ledgerFixture();
    const one = await ledger.submit('acme', 'r', body(), 'k1');
    const two = await ledger.submit('acme', 'r', body(), 'k2');
    expect(two.replayed).toBe(false);
    expect(two.submission.id).not.toBe(one.submission.id);
  });

  it('forgets the key after its 24-hour window', async () => {
    const { ledger, advance } = ledgerFixture();
    const first = await ledger.submit('acme', 'r', body(), 'k1');
    advance(24 * 3600 * 1000 + 1000);
    const later = await ledger.submit('acme', 'r', body({ divergences: 4 }), 'k1');
    expect(later.replayed).toBe(false);
    expect(later.submission.id).not.toBe(first.submission.id);
  });
});
