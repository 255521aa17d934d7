import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplayStore, UsageEvent } from '#core/replay-runs/ports.ts';
import type { ReplayRun, RunCounts, RunMessage, RunRecord, RunStatus } from '#core/replay-runs/replay-run.ts';
import type { AliasRelease } from '#core/replay-runs/routing.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { batchGetAll } from './batch-get.ts';
import { MAX_TRANSACTION_ATTEMPTS, transactionBackoff, unlessConditionFails, whenConditionHolds } from './conditional.ts';
import { claimKey, claimPut, findClaim } from './run-claim.ts';
import { queryBelow } from './query-below.ts';
import { queryUpTo } from './query-up-to.ts';

/*
 * Items of the replay table (pk, sk):
 *   PRJ#<project>          RUN#<run id>                 a run: API fields flat, plus internal ones
 *   PRJ#<project>          ALIAS#<name>                 an alias at its latest release
 *   PRJ#<project>          ALIASES                      how many aliases the project has (the limit is checked on it)
 *   PRJ#<project>#USAGE    EVT#<occurred_at>#<event id> a usage event
 *   PRJ#<project>#IDEM#<sha256 of the key>   IDEM       an Idempotency-Key of a create (TTL `expires_at`)
 *   PRJ#<project>          SETTINGS                     the project's replay settings (default budget)
 *   PRJ#<project>#RUN#<id> CHUNK#<n, 6 digits>          a chunk of a full-fidelity run (chunk-store.ts)
 *   PRJ#<project>#NS       NS#<name>                    a namespace and its purges (namespace-store.ts)
 * A full-fidelity run's item also holds its counts (chunks_done, pairs_done,
 * failures_count, dropped_count, spent_micros, committed_micros), added to by
 * each chunk as it settles.
 * The sparse index `sweep` (sweep_pk, sweep_sk) holds only runs the sweeper
 * may have to repair: `queued` by due time, `running` by deadline.
 */
const RUN = 'RUN#';
const ALIAS = 'ALIAS#';
/** The project's count of aliases (no `#`: never listed with them). */
const ALIAS_COUNT = 'ALIASES';
const EVT = 'EVT#';
const SETTINGS = 'SETTINGS';
const SWEEP_INDEX = 'sweep';
const projectPk = (projectId: string) => `PRJ#${projectId}`;
const usagePk = (projectId: string) => `PRJ#${projectId}#USAGE`;
const runKey = (projectId: string, runId: string) => ({ pk: projectPk(projectId), sk: RUN + runId });

const RUN_FIELDS = [
  'id',
  'object',
  'project_id',
  'created_at',
  'status',
  'baseline',
  'candidate',
  'replay_class',
  'traffic_manifest_ref',
  'repetitions',
  'concurrency',
  'scheduled_for',
  'started_at',
  'completed_at',
  'failure_reason',
  'attempt',
  'manifest_size',
  'metrics',
  'max_spend_usd',
] as const;

/** What a run's progress is read from (full-fidelity runs). */
const COUNT_FIELDS = ['full_fidelity', 'chunks_done', 'pairs_done', 'failures_count', 'dropped_count', 'spent_micros'] as const;

/** A run's API fields, and its sort key. Names go through placeholders: several (status, object) are DynamoDB reserved words. */
const RUN_PROJECTION = {
  ProjectionExpression: ['sk', ...[...RUN_FIELDS, ...COUNT_FIELDS].map((field) => `#${field}`)].join(', '),
  ExpressionAttributeNames: Object.fromEntries([...RUN_FIELDS, ...COUNT_FIELDS].map((field) => [`#${field}`, field])),
};

/** Runs, aliases and usage events in one DynamoDB table; every state change is a conditional write. */
export function createDynamoReplayStore(tableName: string): ReplayStore {
  return {
    async createRun(record, idempotency) {
      const putRun = { TableName: tableName, Item: toItem(record), ConditionExpression: 'attribute_not_exists(pk)' };
      if (!idempotency) {
        await dynamoDb.send(new PutCommand(putRun));
        return { created: true };
      }
      const projectId = record.run.project_id;
      for (let attempt = 1; ; attempt++) {
        try {
          await dynamoDb.send(new TransactWriteCommand({ TransactItems: [{ Put: putRun }, { Put: claimPut(tableName, projectId, record.run.id, idempotency) }] }));
          return { created: true };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          // The key was claimed first (or concurrently): whoever holds it now decides.
          const existing = await findClaim(tableName, projectId, idempotency);
          if (existing) return { existing };
          const conflict = (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');
          if (!conflict || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
          await transactionBackoff(attempt);
        }
      }
    },

    findClaim: (projectId, claim) => findClaim(tableName, projectId, claim),

    async deleteRun(projectId, runId, idempotencyKeyHash) {
      await dynamoDb.send(new DeleteCommand({ TableName: tableName, Key: runKey(projectId, runId) }));
      if (idempotencyKeyHash) {
        // Only this run's claim: a key is freed for a retry once the run it named is gone.
        await whenConditionHolds(() =>
          dynamoDb.send(
            new DeleteCommand({
              TableName: tableName,
              Key: claimKey(projectId, idempotencyKeyHash),
              ConditionExpression: 'run_id = :run',
              ExpressionAttributeValues: { ':run': runId },
            }),
          ),
        );
      }
    },

    async getRun(projectId, runId) {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: runKey(projectId, runId), ConsistentRead: true }));
      return Item ? toRecord(Item) : undefined;
    },

    async listRuns(projectId, page) {
      const items = await queryBelow(dynamoDb, {
        tableName,
        pk: projectPk(projectId),
        prefix: RUN,
        before: page.afterId ? RUN + page.afterId : undefined,
        count: page.limit + 1,
        projection: RUN_PROJECTION,
      });
      return { items: items.slice(0, page.limit).map(toRun), hasMore: items.length > page.limit };
    },

    async claim(projectId, runId, at) {
      const updated = await unlessConditionFails(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(projectId, runId),
            ConditionExpression: '#status = :queued',
            UpdateExpression:
              'SET #status = :running, started_at = :started, deadline_at = :deadline, sweep_pk = :running, sweep_sk = :deadline ADD attempt :one',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ':started': at.startedAt, ':deadline': at.deadlineAt, ':one': 1 },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return updated?.Attributes ? toRecord(updated.Attributes) : undefined;
    },

    complete: (projectId, runId, attempt, completedAt, report) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(projectId, runId),
            ConditionExpression: '#status = :running AND attempt = :attempt',
            UpdateExpression: 'SET #status = :completed, completed_at = :at, #metrics = :metrics, #report = :report REMOVE sweep_pk, sweep_sk, deadline_at',
            ExpressionAttributeNames: { '#status': 'status', '#metrics': 'metrics', '#report': 'report' },
            ExpressionAttributeValues: {
              ':running': 'running',
              ':attempt': attempt,
              ':completed': 'completed',
              ':at': completedAt,
              ':metrics': report.metrics,
              ':report': report,
            },
          }),
        ),
      ),

    fail: (projectId, runId, reason, completedAt, from: RunStatus, attempt?: number) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(projectId, runId),
            ConditionExpression: attempt === undefined ? '#status = :from' : '#status = :from AND attempt = :attempt',
            UpdateExpression: 'SET #status = :failed, failure_reason = :reason, completed_at = :at REMOVE sweep_pk, sweep_sk, deadline_at',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':from': from,
              ':failed': 'failed',
              ':reason': reason,
              ':at': completedAt,
              ...(attempt === undefined ? {} : { ':attempt': attempt }),
            },
          }),
        ),
      ),

    async cancel(projectId, runId, at) {
      const updated = await unlessConditionFails(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(projectId, runId),
            ConditionExpression: '#status = :queued',
            UpdateExpression: 'SET #status = :canceled, completed_at = :at REMOVE sweep_pk, sweep_sk',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':canceled': 'canceled', ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return updated?.Attributes ? toRecord(updated.Attributes) : undefined;
    },

    async overdue(now, queuedDueBefore) {
      const due = async (state: 'running' | 'queued', before: string): Promise<RunMessage[]> => {
        const { items } = await queryUpTo(
          dynamoDb,
          {
            TableName: tableName,
            IndexName: SWEEP_INDEX,
            KeyConditionExpression: 'sweep_pk = :state AND sweep_sk < :before',
            ExpressionAttributeValues: { ':state': state, ':before': before },
          },
          1_000,
        );
        return items.map((item) => ({ project_id: String(item.pk).slice(4), run_id: String(item.sk).slice(RUN.length) }));
      };
      return { running: await due('running', now), queued: await due('queued', queuedDueBefore) };
    },

    async postponeSweep(projectId, runId, until) {
      await whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(projectId, runId),
            ConditionExpression: '#status = :queued',
            UpdateExpression: 'SET sweep_sk = :until',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':until': until },
          }),
        ),
      );
    },

    async putAlias(projectId, alias, updatedAt, maxAliases) {
      const key = { pk: projectPk(projectId), sk: ALIAS + alias.name };
      const values = { ':name': alias.name, ':releases': alias.releases, ':at': updatedAt, ':one': 1 };
      for (let attempt = 1; ; attempt++) {
        // An existing alias: a new release, whatever the count.
        const updated = await unlessConditionFails(() =>
          dynamoDb.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key,
              ConditionExpression: 'attribute_exists(pk)',
              UpdateExpression: 'SET #name = :name, releases = :releases, updated_at = :at ADD version :one',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        if (updated?.Attributes) return toAlias(updated.Attributes);
        // A new one: created together with the project's alias count, which may not pass the limit.
        try {
          await dynamoDb.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: tableName, Item: { ...key, name: alias.name, releases: alias.releases, updated_at: updatedAt, version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
                {
                  Update: {
                    TableName: tableName,
                    Key: { pk: projectPk(projectId), sk: ALIAS_COUNT },
                    ConditionExpression: 'attribute_not_exists(aliases) OR aliases < :max',
                    UpdateExpression: 'ADD aliases :one',
                    ExpressionAttributeValues: { ':one': 1, ':max': maxAliases },
                  },
                },
              ],
            }),
          );
          return { name: alias.name, version: 1, releases: alias.releases, updated_at: updatedAt };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const [aliasReason, countReason] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
          if (countReason === 'ConditionalCheckFailed') return 'limit';
          // Created meanwhile by another request (or a transient conflict): update it instead.
          if ((aliasReason !== 'ConditionalCheckFailed' && aliasReason !== 'TransactionConflict' && countReason !== 'TransactionConflict') || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
          await transactionBackoff(attempt);
        }
      }
    },

    async listAliases(projectId, max) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :alias)',
          ExpressionAttributeValues: { ':pk': projectPk(projectId), ':alias': ALIAS },
        },
        max,
      );
      return items.map(toAlias);
    },

    async getAliases(projectId, names) {
      const keys = [...new Set(names)].map((name) => ({ pk: projectPk(projectId), sk: ALIAS + name }));
      return (await batchGetAll(tableName, keys, 'aliases', { consistentRead: true })).map(toAlias);
    },

    async recordUsage(projectId, events) {
      const puts = events.map((event) => ({
        PutRequest: { Item: { pk: usagePk(projectId), sk: `${EVT}${event.occurred_at}#${event.id}`, ...event } },
      }));
      for (let i = 0; i < puts.length; i += 25) {
        let batch = puts.slice(i, i + 25);
        for (let attempt = 0; batch.length > 0; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
          const { UnprocessedItems } = await dynamoDb.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
          batch = (UnprocessedItems?.[tableName] ?? []) as typeof batch;
          if (attempt > 8 && batch.length) throw new Error(`DynamoDB left ${batch.length} usage events unprocessed`);
        }
      }
    },

    async listUsage(projectId, page) {
      const items = await queryBelow(dynamoDb, { tableName, pk: usagePk(projectId), prefix: EVT, before: page.afterKey, count: page.limit + 1 });
      const served = items.slice(0, page.limit);
      const last = served.at(-1);
      return { items: served.map(toUsage), hasMore: items.length > page.limit, ...(last ? { lastKey: String(last.sk) } : {}) };
    },

    async latestUsage(projectId, count) {
      return (await queryBelow(dynamoDb, { tableName, pk: usagePk(projectId), prefix: EVT, count })).map(toUsage);
    },

    async getSettings(projectId) {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: { pk: projectPk(projectId), sk: SETTINGS }, ConsistentRead: true }));
      return { default_max_spend_usd: (Item?.default_max_spend_usd as number | null | undefined) ?? null, updated_at: (Item?.updated_at as string | undefined) ?? null };
    },

    async putSettings(projectId, settings, at) {
      await dynamoDb.send(
        new PutCommand({ TableName: tableName, Item: { pk: projectPk(projectId), sk: SETTINGS, default_max_spend_usd: settings.default_max_spend_usd, updated_at: at } }),
      );
      return { default_max_spend_usd: settings.default_max_spend_usd, updated_at: at };
    },
  };
}

function toItem(record: RunRecord): Record<string, unknown> {
  const { progress: _progress, ...run } = record.run;
  const sweep = run.status === 'queued' ? { sweep_pk: 'queued', sweep_sk: record.dueAt } : {};
  // Counts start at zero so chunks can add to them and budget conditions can compare them.
  const counts = record.fullFidelity
    ? { chunks_done: 0, pairs_done: 0, failures_count: 0, dropped_count: 0, spent_micros: 0, committed_micros: 0, budget_stopped: false, heads_sent: false }
    : {};
  return {
    ...runKey(run.project_id, run.id),
    ...run,
    ...counts,
    org_id: record.orgId,
    full_fidelity: record.fullFidelity,
    manifest_key: record.manifestKey,
    manifest_summary: record.manifestSummary,
    resolved: record.resolved,
    due_at: record.dueAt,
    deadline_at: record.deadlineAt,
    report: record.report,
    ...sweep,
  };
}

function toRun(item: Record<string, unknown>): ReplayRun {
  const run = Object.fromEntries(RUN_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as ReplayRun;
  const plan = (item.full_fidelity as RunRecord['fullFidelity'])?.plan;
  run.progress = plan
    ? {
        chunks_total: plan.chunks,
        chunks_done: Number(item.chunks_done ?? 0),
        pairs_total: plan.pairs,
        pairs_done: Number(item.pairs_done ?? 0),
        failures: Number(item.failures_count ?? 0),
        dropped: Number(item.dropped_count ?? 0),
        spent_usd: Number(item.spent_micros ?? 0) / 1_000_000,
      }
    : null;
  return run;
}

function countsOf(item: Record<string, unknown>): RunCounts | null {
  if (!item.full_fidelity) return null;
  return {
    chunksDone: Number(item.chunks_done ?? 0),
    pairsDone: Number(item.pairs_done ?? 0),
    failures: Number(item.failures_count ?? 0),
    dropped: Number(item.dropped_count ?? 0),
    spentMicros: Number(item.spent_micros ?? 0),
    committedMicros: Number(item.committed_micros ?? 0),
    budgetStopped: item.budget_stopped === true,
    headsSent: item.heads_sent === true,
    costRatio: Number(item.estimated_done_micros ?? 0) > 0 ? Number(item.actual_done_micros ?? 0) / Number(item.estimated_done_micros) : 1,
  };
}

function toRecord(item: Record<string, unknown>): RunRecord {
  return {
    run: toRun(item),
    manifestKey: (item.manifest_key as string | null) ?? null,
    manifestSummary: (item.manifest_summary as Record<string, unknown> | null) ?? null,
    resolved: item.resolved as RunRecord['resolved'],
    dueAt: String(item.due_at),
    deadlineAt: (item.deadline_at as string | null) ?? null,
    report: (item.report as RunRecord['report']) ?? null,
    orgId: (item.org_id as string | null | undefined) ?? null,
    fullFidelity: (item.full_fidelity as RunRecord['fullFidelity'] | undefined) ?? null,
    counts: countsOf(item),
  };
}

function toAlias(item: Record<string, unknown>): AliasRelease & { updated_at: string } {
  return {
    name: String(item.name),
    version: Number(item.version),
    releases: item.releases as AliasRelease['releases'],
    updated_at: String(item.updated_at),
  };
}

function toUsage(item: Record<string, unknown>): UsageEvent {
  return {
    id: String(item.id),
    target: String(item.target),
    input_tokens: Number(item.input_tokens),
    output_tokens: Number(item.output_tokens),
    reused_tokens: Number(item.reused_tokens ?? 0),
    ttft_ms: item.ttft_ms === null || item.ttft_ms === undefined ? null : Number(item.ttft_ms),
    latency_ms: item.latency_ms === null || item.latency_ms === undefined ? null : Number(item.latency_ms),
    namespace_generation: (item.namespace_generation as string | null | undefined) ?? null,
    occurred_at: String(item.occurred_at),
  };
}


