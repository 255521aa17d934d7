import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDynamoLedgerStore } from '../../../functions/adapters/dynamodb/ledger-store.ts';
import { createDynamoReplayStore } from '../../../functions/adapters/dynamodb/replay-store.ts';
import { createDynamoReproducibilityStore } from '../../../functions/adapters/dynamodb/reproducibility-store.ts';
import { idempotencyClaim } from '../../../functions/core/idempotency.ts';
import type { LedgerEntry, LedgerStore } from '../../../functions/core/ledger/ledger-store.ts';
import type { RunRecord } from '../../../functions/core/replay-runs/replay-run.ts';
import type { RunRecord as ReproducibilityRun } from '../../../functions/core/reproducibility/run.ts';
import { newUuidV7 } from '../../../functions/shared/ids.ts';
import { fakeLedgerStore } from '../../unit/core/ledger/fake-ledger-store.ts';
import { requiredEnv } from '../replay-runs/support.ts';

const FIRST_USE = new Date('2026-11-25T10:00:00Z');
const WINDOW_HOURS = 24;
const second = 1_000;

/** A submission claiming `key` at `at` (epoch seconds of the claim follow `at`). */
function entry(orgId: string, key: string, at: Date): LedgerEntry {
  const id = newUuidV7();
  return {
    orgId,
    submission: { id, kind: 'sdk', run_id: 'run-window', submitted_at: at.toISOString(), status: 'success', actions_replayed: 1, actions_total: 1, divergences: 0, cost_savings: 0 },
    costSavedMicros: 0,
    day: at.toISOString().slice(0, 10),
    deployment: '(none)',
    idempotency: idempotencyClaim(key, { same: 'body' }, at, WINDOW_HOURS),
  };
}

/*
 * One scenario, two stores: the DynamoDB adapter on DynamoDB Local and the
 * in-memory fake the unit tests use must agree on the edge of the window.
 */
describe.each([
  ['DynamoDB Local', () => createDynamoLedgerStore(requiredEnv('LEDGER_TABLE'))],
  ['the in-memory fake', () => fakeLedgerStore().store],
])('an Idempotency-Key in %s', (_store, storeOf: () => LedgerStore) => {
  it('is remembered until one second before expires_at, and over at exactly expires_at', async () => {
    // Prepare
    const store = storeOf();
    const orgId = `org-window-${randomUUID().slice(0, 8)}`;
    const first = entry(orgId, 'key-1', FIRST_USE);
    const expiresAt = new Date(first.idempotency!.expiresAtEpochSeconds * second);

    // Act
    const created = await store.record(first);
    const lastSecond = await store.record(entry(orgId, 'key-1', new Date(expiresAt.getTime() - second)));
    const atExpiry = await store.record(entry(orgId, 'key-1', expiresAt));

    // Assess
    expect(expiresAt.getTime() - FIRST_USE.getTime()).toBe(WINDOW_HOURS * 3_600 * second);
    expect('created' in created).toBe(true);
    expect(lastSecond).toEqual({ existing: { fingerprint: first.idempotency!.fingerprint, submission: expect.objectContaining({ id: first.submission.id }) } });
    expect('created' in atExpiry).toBe(true);
  });
});

describe('an Idempotency-Key of POST /v2/replay-runs in DynamoDB Local', () => {
  /** A queued run record, as create stores it (only what the store reads matters here). */
  const runRecord = (projectId: string, runId: string): RunRecord =>
    ({
      run: { id: runId, object: 'replay_run', project_id: projectId, status: 'queued', created_at: FIRST_USE.toISOString() },
      manifestKey: null,
      manifestSummary: null,
      resolved: {},
      dueAt: FIRST_USE.toISOString(),
      deadlineAt: null,
      report: null,
    }) as unknown as RunRecord;

  it('is remembered until one second before expires_at, and over at exactly expires_at', async () => {
    const store = createDynamoReplayStore(requiredEnv('REPLAY_TABLE'));
    const projectId = `prj_${randomUUID().replaceAll('-', '').slice(0, 26)}`;
    const first = idempotencyClaim('key-1', { same: 'body' }, FIRST_USE, WINDOW_HOURS);
    const at = (epochSeconds: number) => idempotencyClaim('key-1', { same: 'body' }, new Date(epochSeconds * second), WINDOW_HOURS);

    const created = await store.createRun(runRecord(projectId, 'rpl_00000000000000000000000001'), first);
    const lastSecond = await store.createRun(runRecord(projectId, 'rpl_00000000000000000000000002'), at(first.expiresAtEpochSeconds - 1));
    const foundAtExpiry = await store.findClaim(projectId, at(first.expiresAtEpochSeconds));
    const atExpiry = await store.createRun(runRecord(projectId, 'rpl_00000000000000000000000003'), at(first.expiresAtEpochSeconds));

    expect(created).toEqual({ created: true });
    expect(lastSecond).toEqual({ existing: { runId: 'rpl_00000000000000000000000001', fingerprint: first.fingerprint } });
    expect(foundAtExpiry).toBeUndefined();
    expect(atExpiry).toEqual({ created: true });
  });
});

describe('an Idempotency-Key of POST /api/v1/reproducibility/runs in DynamoDB Local', () => {
  const runRecord = (projectId: string, id: string): ReproducibilityRun => ({
      id, project_id: projectId, org_id: 'org', session_id: 'ses', agent_id: 'bot', target_url: 'https://agent.example/replay', n: 1, concurrency: 1, timeout_s: 5, ignore_paths: [],
      status: 'queued', verdict: null, created_at: FIRST_USE.toISOString(), started_at: null, completed_at: null, failure_reason: null,
      payload_kind: 'user', payload: { inline: '{"input":"hi","is_replay":true}' }, recorded: null, kicks: 0, result: null,
    });

  it('is remembered until one second before expires_at, and over at exactly expires_at, like the other stores', async () => {
    const store = createDynamoReproducibilityStore(requiredEnv('REPRODUCIBILITY_TABLE'));
    const projectId = `prj_${randomUUID().replaceAll('-', '').slice(0, 26)}`;
    const first = idempotencyClaim('key-1', { same: 'body' }, FIRST_USE, WINDOW_HOURS);
    const at = (epochSeconds: number) => idempotencyClaim('key-1', { same: 'body' }, new Date(epochSeconds * second), WINDOW_HOURS);

    const created = await store.createRun(runRecord(projectId, 'rep_00000000000000000000000001'), first);
    const lastSecond = await store.createRun(runRecord(projectId, 'rep_00000000000000000000000002'), at(first.expiresAtEpochSeconds - 1));
    const atExpiry = await store.createRun(runRecord(projectId, 'rep_00000000000000000000000003'), at(first.expiresAtEpochSeconds));

    expect(created).toEqual({ created: true });
    expect(lastSecond).toEqual({ existing: { runId: 'rep_00000000000000000000000001', fingerprint: first.fingerprint } });
    expect(atExpiry).toEqual({ created: true });
  });
});
