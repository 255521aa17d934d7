import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionRecord, PageOutcome } from '#core/detached-replay/execution.ts';
import { detachedLimits } from '#core/detached-replay/limits.ts';
import type { ExecutionStore } from '#core/detached-replay/ports.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { whenConditionHolds } from './conditional.ts';
import { queryBelow } from './query-below.ts';
import { queryUpTo } from './query-up-to.ts';

/*
 * Items of the detached table (pk, sk):
 *   PRJ#<project>                EXE#<execution id>   the execution: counts, status, source, route
 *   PRJ#<project>#EXE#<id>       PAGE#<n>             page n, published from its message, is done (its counts were added)
 *   PRJ#<project>#EXE#<id>       ENQ#<n>              page n's message was sent (sent once)
 * The sparse index `sweep` holds executions still publishing, by last progress.
 */
const EXE = 'EXE#';
const projectPk = (projectId: string) => `PRJ#${projectId}`;
const pagesPk = (projectId: string, executionId: string) => `PRJ#${projectId}#EXE#${executionId}`;
const key = (projectId: string, executionId: string) => ({ pk: projectPk(projectId), sk: EXE + executionId });

/** The update that adds one page's outcome to its execution's counts. */
function addOutcome(outcome: PageOutcome, at: string) {
  return {
    UpdateExpression:
      'ADD pages_done :one, objects_found :found, objects_skipped :skipped, objects_published :published, objects_failed :failed SET last_progress_at = :at, sweep_sk = :at',
    ExpressionAttributeValues: {
      ':one': 1,
      ':found': outcome.found,
      ':skipped': outcome.skipped,
      ':published': outcome.published,
      ':failed': outcome.failed,
      ':at': at,
    },
  };
}

/**
 * Executions and their page markers. A page published from a message has its
 * counts added in the same transaction as its marker; a page the starting
 * request published itself is never redelivered, so it needs no marker.
 */
export function createDynamoExecutionStore(tableName: string): ExecutionStore {
  return {
    async create(record) {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName,
          // errors starts as an empty list: list_append cannot extend a stored NULL.
          Item: { ...key(record.project_id, record.execution_id), ...record, errors: [], sweep_pk: 'publishing', sweep_sk: record.created_at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(projectId, executionId) {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: key(projectId, executionId), ConsistentRead: true }));
      return Item ? toRecord(Item) : undefined;
    },

    async list(projectId, page) {
      const before = page.afterId ? EXE + page.afterId : undefined;
      const items = await queryBelow(dynamoDb, { tableName, pk: projectPk(projectId), prefix: EXE, before, count: page.limit + 1 });
      return { items: items.slice(0, page.limit).map(toRecord), hasMore: items.length > page.limit };
    },

    async isPageDone(projectId, executionId, page) {
      const { Item } = await dynamoDb.send(
        new GetCommand({ TableName: tableName, Key: { pk: pagesPk(projectId, executionId), sk: `PAGE#${page}` }, ConsistentRead: true }),
      );
      return Boolean(Item);
    },

    claimPageEnqueue: (projectId, executionId, page) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: pagesPk(projectId, executionId), sk: `ENQ#${page}` },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    async setPagesTotal(projectId, executionId, total) {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(projectId, executionId),
          UpdateExpression: 'SET pages_total = :total',
          ExpressionAttributeValues: { ':total': total },
        }),
      );
    },

    completePage: (projectId, executionId, page, outcome, at) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: pagesPk(projectId, executionId), sk: `PAGE#${page}`, ...outcome, done_at: at },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Update: { TableName: tableName, Key: key(projectId, executionId), ...addOutcome(outcome, at) } },
            ],
          }),
        ),
      ),

    async addInlinePage(projectId, executionId, outcome, at) {
      await dynamoDb.send(new UpdateCommand({ TableName: tableName, Key: key(projectId, executionId), ...addOutcome(outcome, at) }));
    },

    async appendErrors(projectId, executionId, errors, cap) {
      await whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(projectId, executionId),
            UpdateExpression: 'SET #errors = list_append(if_not_exists(#errors, :empty), :errors)',
            ConditionExpression: 'size(#errors) < :cap',
            ExpressionAttributeNames: { '#errors': 'errors' },
            ExpressionAttributeValues: { ':empty': [], ':errors': errors, ':cap': cap },
          }),
        ),
      );
    },

    async finishIfComplete(projectId, executionId, at) {
      // Read first: most pages are not the last one, and a read is cheaper than a failing write.
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName,
          Key: key(projectId, executionId),
          ConsistentRead: true,
          ProjectionExpression: '#status, pages_done, pages_total, objects_failed',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      );
      if (!Item || Item.status !== 'publishing' || Item.pages_total === undefined || Item.pages_done !== Item.pages_total) return false;
      const final = Number(Item.objects_failed) > 0 ? 'partial_failure' : 'publishing_complete';
      return whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(projectId, executionId),
            UpdateExpression: 'SET #status = :final, completed_at = :at REMOVE sweep_pk, sweep_sk',
            ConditionExpression: '#status = :publishing AND pages_done = pages_total',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':final': final, ':publishing': 'publishing', ':at': at },
          }),
        ),
      );
    },

    async stalled(before) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          IndexName: 'sweep',
          KeyConditionExpression: 'sweep_pk = :publishing AND sweep_sk < :before',
          ExpressionAttributeValues: { ':publishing': 'publishing', ':before': before },
        },
        1_000,
      );
      return items.map((item) => ({ project_id: String(item.pk).slice(4), execution_id: String(item.sk).slice(EXE.length) }));
    },

    markStalled: (projectId, executionId, reason, at) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(projectId, executionId),
            UpdateExpression: 'SET #status = :failed, completed_at = :at, #errors = list_append(:reason, if_not_exists(#errors, :empty)) REMOVE sweep_pk, sweep_sk',
            ConditionExpression: '#status = :publishing',
            ExpressionAttributeNames: { '#status': 'status', '#errors': 'errors' },
            ExpressionAttributeValues: { ':failed': 'partial_failure', ':publishing': 'publishing', ':at': at, ':empty': [], ':reason': [reason] },
          }),
        ),
      ),
  };
}

function toRecord(item: Record<string, unknown>): ExecutionRecord {
  const { pk: _pk, sk: _sk, sweep_pk: _sp, sweep_sk: _ss, last_progress_at: _lp, ...rest } = item;
  const record = rest as unknown as ExecutionRecord;
  return {
    ...record,
    objects_found: Number(record.objects_found ?? 0),
    objects_published: Number(record.objects_published ?? 0),
    objects_failed: Number(record.objects_failed ?? 0),
    objects_skipped: Number(record.objects_skipped ?? 0),
    pages_done: Number(record.pages_done ?? 0),
    pages_total: record.pages_total === null || record.pages_total === undefined ? null : Number(record.pages_total),
    errors: ((record.errors as string[] | null) ?? []).slice(0, detachedLimits.errorsPerExecution),
    lineage: (record.lineage as string[] | undefined) ?? [],
  };
}
