import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { windowOf, type DailyCount, type DailyWindow } from '#core/ledger/daily.ts';
import { filtersOf, type HistoryFilter } from '#core/ledger/history-filter.ts';
import type { LedgerEntry, LedgerStore, Page, PageRequest } from '#core/ledger/ledger-store.ts';
import { DEFAULT_KIND, type LedgerKind, type LedgerTotals, type Submission } from '#core/ledger/submission.ts';
import { dynamoDb, dynamoDbWideNumbers } from '../aws/dynamodb-client.ts';
import { MAX_TRANSACTION_ATTEMPTS, transactionBackoff } from './conditional.ts';
import { queryBelow } from './query-below.ts';
import { queryUpTo } from './query-up-to.ts';

/*
 * Items of the ledger table (pk, sk):
 *   ORG#<org>                                   SUB#<id>        submission without details (org-wide history)
 *   ORG#<org>                                   STATS           org counters
 *   ORG#<org>#STATUS#<status>                   SUB#<id>, STATS the same, listed per status, with its count
 *   ORG#<org>#DEP#<deployment>                  SUB#<id>, STATS the same, listed per deployment, with its count
 *   ORG#<org>#STATUS#<status>#DEP#<deployment>  SUB#<id>, STATS the same, listed per status and deployment, with its count
 *   ORG#<org>#KIND#<kind>[#STATUS#…][#DEP#…]    SUB#<id>, STATS the same, listed per kind (and status, deployment), with its count
 *   ORG#<org>#DAILY[#KIND#<kind>]               <day>#<deployment>  submissions and divergences of that UTC day (of that kind)
 *   ORG#<org>#RUN#<run>                         SUB#<id>        submission with details (run history)
 *   ORG#<org>#RUN#<run>                         STATS           run counter
 *   ORG#<org>#IDEM#<sha256>                     IDEM            idempotency record (TTL `expires_at`)
 * Submission ids are UUID v7, so `SUB#<id>` sorts by time. `divergence_details`
 * are free-form JSON (any `recorded` / `replayed` value), so they are stored as
 * JSON text (`divergence_details_json`), which DynamoDB always accepts whatever
 * their numbers, nesting or keys; items written before hold them as a native
 * list (`divergence_details`), and both read back the same. Org ids, run ids
 * and statuses never contain `#`; the deployment (free text) is always the
 * last part of a key, so no two lists can share a partition.
 */
const SUB = 'SUB#';
const DETAILS_JSON = 'divergence_details_json';
const STATS = 'STATS';
const orgPk = (orgId: string) => `ORG#${orgId}`;
const runPk = (orgId: string, runId: string) => `ORG#${orgId}#RUN#${runId}`;
const idemPk = (orgId: string, keyHash: string) => `ORG#${orgId}#IDEM#${keyHash}`;
const dailyPk = (orgId: string, kind?: LedgerKind) => (kind === undefined ? `ORG#${orgId}#DAILY` : `ORG#${orgId}#DAILY#KIND#${kind}`);

/** The partition of the list a filter selects; the org-wide list without one. */
function listPk(orgId: string, { kind, status, deployment }: HistoryFilter = {}): string {
  const byKind = kind === undefined ? orgPk(orgId) : `${orgPk(orgId)}#KIND#${kind}`;
  const byStatus = status === undefined ? byKind : `${byKind}#STATUS#${status}`;
  return deployment === undefined ? byStatus : `${byStatus}#DEP#${deployment}`;
}

/** The ledger over one DynamoDB table; every write is a single transaction. */
export function createDynamoLedgerStore(tableName: string): LedgerStore {
  return {
    async record(entry) {
      for (let attempt = 1; ; attempt++) {
        try {
          await dynamoDb.send(new TransactWriteCommand({ TransactItems: transactionFor(tableName, entry) }));
          return { created: entry.submission };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          if (reasons[0]?.Code === 'ConditionalCheckFailed') {
            // The first item puts the submission by its id: a job recording the same outcome again.
            const stored = await readSubmission(tableName, entry.orgId, entry.submission);
            if (stored) return { duplicate: stored };
          }
          const idempotencyReason = entry.idempotency ? reasons.at(-1)?.Code : undefined;
          if (idempotencyReason === 'ConditionalCheckFailed') {
            const existing = await readIdempotent(tableName, entry);
            if (existing) return { existing };
          }
          const conflict = reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ConditionalCheckFailed');
          if (!conflict || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
          await transactionBackoff(attempt);
        }
      }
    },

    listOrg: (orgId, page, filter) => listPartition(tableName, listPk(orgId, filter), page),
    listRun: (orgId, runId, page) => listPartition(tableName, runPk(orgId, runId), page),
    count: (orgId, filter) => submissionsOf(tableName, listPk(orgId, filter)),
    runTotal: (orgId, runId) => submissionsOf(tableName, runPk(orgId, runId)),

    async totals(orgId): Promise<LedgerTotals> {
      const { Item } = await dynamoDbWideNumbers.send(new GetCommand({ TableName: tableName, Key: { pk: orgPk(orgId), sk: STATS } }));
      return {
        submissions: Number(Item?.submissions ?? 0),
        actionsReplayed: Number(Item?.actions_replayed ?? 0),
        divergences: Number(Item?.divergences ?? 0),
        costSavedMicros: Number(Item?.cost_saved_micros ?? 0),
      };
    },

    async daily(orgId, from, to, kind, maxCounters): Promise<DailyWindow> {
      // Every `<to>#<deployment>` key sorts below `<to>$` ('#' < '$'), and none of another day does. Newest first,
      // so a window holding more than `maxCounters` loses its oldest days; one more is read to know whether it does.
      const { items } = await queryUpTo(
        dynamoDbWideNumbers,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': dailyPk(orgId, kind), ':from': `${from}#`, ':to': `${to}$` },
          ScanIndexForward: false,
        },
        maxCounters + 1,
      );
      const counts: DailyCount[] = items.map((item) => ({
        day: String(item.day),
        deployment: String(item.deployment),
        submissions: Number(item.submissions),
        divergences: Number(item.divergences),
      }));
      return windowOf(counts, maxCounters);
    },
  };
}

async function submissionsOf(tableName: string, pk: string): Promise<number> {
  // Only the count: the org's counter item also holds micro-dollars past 2^53, which this client cannot read.
  const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: { pk, sk: STATS }, ProjectionExpression: 'submissions' }));
  return Number(Item?.submissions ?? 0);
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** The one transaction that records a submission (exported for the benchmark's direct baseline). */
export function transactionFor(tableName: string, { orgId, submission, costSavedMicros, day, deployment, idempotency }: LedgerEntry) {
  const { divergence_details: details, ...listed } = submission;
  const withDetails = details === undefined ? listed : { ...listed, [DETAILS_JSON]: JSON.stringify(details) };
  const sk = SUB + submission.id;
  // Copies for the filtered lists, each with a counter so a filtered `total` is one read too.
  const filteredLists = filtersOf(submission).flatMap(
    (filter): TransactItems => [
      { Put: { TableName: tableName, Item: { pk: listPk(orgId, filter), sk, ...listed } } },
      {
        Update: {
          TableName: tableName,
          Key: { pk: listPk(orgId, filter), sk: STATS },
          UpdateExpression: 'ADD submissions :one',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ],
  );
  const items: TransactItems = [
    {
      Put: {
        TableName: tableName,
        Item: { pk: orgPk(orgId), sk, ...listed },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: tableName, Item: { pk: runPk(orgId, submission.run_id), sk, ...withDetails } } },
    {
      Update: {
        TableName: tableName,
        Key: { pk: orgPk(orgId), sk: STATS },
        UpdateExpression: 'ADD submissions :one, actions_replayed :replayed, divergences :divergences, cost_saved_micros :micros',
        ExpressionAttributeValues: {
          ':one': 1,
          ':replayed': submission.actions_replayed,
          ':divergences': submission.divergences,
          ':micros': costSavedMicros,
        },
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: { pk: runPk(orgId, submission.run_id), sk: STATS },
        UpdateExpression: 'ADD submissions :one SET last_submitted_at = :at',
        ExpressionAttributeValues: { ':one': 1, ':at': submission.submitted_at },
      },
    },
    ...filteredLists,
    ...[undefined, submission.kind].map((kind) => ({
      Update: {
        TableName: tableName,
        Key: { pk: dailyPk(orgId, kind), sk: `${day}#${deployment}` },
        UpdateExpression: 'ADD submissions :one, divergences :divergences SET #day = :day, #deployment = :deployment',
        ExpressionAttributeNames: { '#day': 'day', '#deployment': 'deployment' },
        ExpressionAttributeValues: { ':one': 1, ':divergences': submission.divergences, ':day': day, ':deployment': deployment },
      },
    })),
  ];
  if (idempotency) {
    // Last on purpose: `record` reads its cancellation reason from the end of the list.
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          pk: idemPk(orgId, idempotency.keyHash),
          sk: 'IDEM',
          fingerprint: idempotency.fingerprint,
          submission_id: submission.id,
          run_id: submission.run_id,
          expires_at: idempotency.expiresAtEpochSeconds,
        },
        // TTL deletion lags, so an expired record counts as absent.
        ConditionExpression: 'attribute_not_exists(pk) OR expires_at <= :now',
        ExpressionAttributeValues: { ':now': idempotency.nowEpochSeconds },
      },
    });
  }
  return items;
}

async function readIdempotent(tableName: string, { orgId, idempotency }: LedgerEntry) {
  if (!idempotency) return undefined;
  const { Item: record } = await dynamoDb.send(
    new GetCommand({ TableName: tableName, Key: { pk: idemPk(orgId, idempotency.keyHash), sk: 'IDEM' }, ConsistentRead: true }),
  );
  if (!record) return undefined;
  const { Item } = await dynamoDb.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: runPk(orgId, String(record.run_id)), sk: SUB + String(record.submission_id) },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  return { fingerprint: String(record.fingerprint), submission: toSubmission(Item) };
}

async function readSubmission(tableName: string, orgId: string, submission: Submission): Promise<Submission | undefined> {
  const { Item } = await dynamoDb.send(
    new GetCommand({ TableName: tableName, Key: { pk: runPk(orgId, submission.run_id), sk: SUB + submission.id }, ConsistentRead: true }),
  );
  return Item ? toSubmission(Item) : undefined;
}

async function listPartition(tableName: string, pk: string, page: PageRequest): Promise<Page> {
  let before = page.afterId ? SUB + page.afterId : undefined;
  if (page.skip) {
    // DynamoDB has no offsets: read past `skip` keys (cursor paging avoids this cost).
    const skipped = await queryBelow(dynamoDb, { tableName, pk, prefix: SUB, before, count: page.skip, projection: { ProjectionExpression: 'pk, sk' } });
    if (skipped.length < page.skip) return { items: [], hasMore: false };
    before = String(skipped.at(-1)!.sk);
  }
  const items = await queryBelow(dynamoDb, { tableName, pk, prefix: SUB, before, count: page.limit + 1 });
  return { items: items.slice(0, page.limit).map(toSubmission), hasMore: items.length > page.limit };
}

/** Rebuilds a submission in the field order of the API contract. */
function toSubmission(item: Record<string, unknown>): Submission {
  const s = item as unknown as Submission;
  const details = typeof item[DETAILS_JSON] === 'string' ? (JSON.parse(item[DETAILS_JSON]) as Submission['divergence_details']) : s.divergence_details;
  return {
    id: s.id,
    run_id: s.run_id,
    submitted_at: s.submitted_at,
    status: s.status,
    // Submissions from before kinds were recorded are SDK submissions.
    kind: s.kind ?? DEFAULT_KIND,
    actions_replayed: Number(s.actions_replayed),
    actions_total: Number(s.actions_total),
    divergences: Number(s.divergences),
    cost_savings: Number(s.cost_savings),
    ...(details ? { divergence_details: details } : {}),
    ...(s.deployment ? { deployment: s.deployment } : {}),
    ...(s.sdk_version ? { sdk_version: s.sdk_version } : {}),
    ...(s.started_at ? { started_at: s.started_at } : {}),
    ...(s.finished_at ? { finished_at: s.finished_at } : {}),
  };
}

