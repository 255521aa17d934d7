import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionRecord, PageOutcome, PageState } from '#core/detached-replay/execution.ts';
import { detachedLimits } from '#core/detached-replay/limits.ts';
import type { ExecutionStore, PageCompletion } from '#core/detached-replay/ports.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { whenConditionHolds } from './conditional.ts';
import { queryBelow } from './query-below.ts';
import { MAX_ITEMS_PER_READ, queryUpTo } from './query-up-to.ts';

/*
 * Items of the detached table (pk, sk):
 *   PRJ#<project>                EXE#<execution id>   the execution: counts, status, source, route;
 *                                                     `errors` only once there is one
 *   PRJ#<project>#EXE#<id>       PAGE#<n, 10 digits>  page n: `sent_at` once its message was sent, `done_at`,
 *                                                     `next` (where page n + 1 starts, null on the last page)
 *                                                     and its `outcome` once counted; expires (`expires_at`) after
 *                                                     `pageItemDays`, past any message that could name it
 * The sparse index `sweep` holds executions still publishing, by last progress.
 */
const EXE = 'EXE#';
const PAGE = 'PAGE#';
const projectPk = (projectId: string) => `PRJ#${projectId}`;
const pagesPk = (projectId: string, executionId: string) => `PRJ#${projectId}#EXE#${executionId}`;
const pageSk = (page: number) => PAGE + String(page).padStart(10, '0');
const key = (projectId: string, executionId: string) => ({ pk: projectPk(projectId), sk: EXE + executionId });
const publishing = { '#status': 'status' };

/**
 * Executions and their pages. A page's done mark and its counts are one
 * transaction, conditional on the page not being done and on the execution
 * still publishing: a page counts once, and a late page changes nothing.
 */
export function createDynamoExecutionStore(tableName: string): ExecutionStore {
  const expiresAt = (at: string) => Math.floor(Date.parse(at) / 1000) + detachedLimits.pageItemDays * 86_400;

  return {
    async create(record) {
      const { errors, ...rest } = record;
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...key(record.project_id, record.execution_id), ...rest, ...(errors?.length ? { errors } : {}), sweep_pk: 'publishing', sweep_sk: record.created_at },
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

    async pagePair(projectId, executionId, from) {
      const { Items = [] } = await dynamoDb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pagesPk(projectId, executionId), ':from': pageSk(from), ':to': pageSk(from + 1) },
          ConsistentRead: true,
        }),
      );
      const states = Items.map(toPageState);
      const of = (page: number) => states.find((state) => state.page === page) ?? { page, sent: false, done: false };
      return [of(from), of(from + 1)];
    },

    async pages(projectId, executionId) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :page)',
          ExpressionAttributeValues: { ':pk': pagesPk(projectId, executionId), ':page': PAGE },
          ProjectionExpression: 'sk, sent_at, done_at, #next',
          ExpressionAttributeNames: { '#next': 'next' },
          ConsistentRead: true,
        },
        // One marker per listing page of 1,000 keys: the most any read may list covers 200 million objects.
        MAX_ITEMS_PER_READ,
      );
      return items.map(toPageState);
    },

    async markPageSent(projectId, executionId, page, at) {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: pagesPk(projectId, executionId), sk: pageSk(page) },
          UpdateExpression: 'SET sent_at = if_not_exists(sent_at, :at), expires_at = :expires',
          ExpressionAttributeValues: { ':at': at, ':expires': expiresAt(at) },
        }),
      );
    },

    completePage: (projectId, executionId, page, outcome, completion, at) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: pagesPk(projectId, executionId), sk: pageSk(page) },
                  UpdateExpression: 'SET done_at = :at, #next = :next, outcome = :outcome, expires_at = :expires',
                  ConditionExpression: 'attribute_not_exists(done_at)',
                  ExpressionAttributeNames: { '#next': 'next' },
                  ExpressionAttributeValues: {
                    ':at': at,
                    ':next': completion.next,
                    ':outcome': { found: outcome.found, skipped: outcome.skipped, published: outcome.published, failed: outcome.failed },
                    ':expires': expiresAt(at),
                  },
                },
              },
              { Update: { TableName: tableName, Key: key(projectId, executionId), ...addOutcome(page, outcome, completion, at) } },
            ],
          }),
        ),
      ),

    async finishIfComplete(projectId, executionId, at) {
      // Read first: most pages are not the last one, and a read is cheaper than a failing write.
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName,
          Key: key(projectId, executionId),
          ConsistentRead: true,
          ProjectionExpression: '#status, pages_done, pages_total, objects_failed',
          ExpressionAttributeNames: publishing,
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
            ExpressionAttributeNames: publishing,
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
            ExpressionAttributeNames: { ...publishing, '#errors': 'errors' },
            ExpressionAttributeValues: { ':failed': 'partial_failure', ':publishing': 'publishing', ':at': at, ':empty': [], ':reason': [reason] },
          }),
        ),
      ),
  };
}

/** The update that adds one page's outcome to its execution, only while it is publishing. */
function addOutcome(page: number, outcome: PageOutcome, completion: PageCompletion, at: string) {
  const sets = ['last_progress_at = :at', 'sweep_sk = :at'];
  const values: Record<string, unknown> = {
    ':one': 1,
    ':found': outcome.found,
    ':skipped': outcome.skipped,
    ':published': outcome.published,
    ':failed': outcome.failed,
    ':at': at,
    ':publishing': 'publishing',
  };
  const names: Record<string, string> = { ...publishing };
  if (completion.next === null) {
    sets.push('pages_total = :total');
    values[':total'] = page + 1;
  }
  if (completion.withErrors && outcome.errors.length) {
    sets.push('#errors = list_append(if_not_exists(#errors, :empty), :errors)');
    Object.assign(values, { ':empty': [], ':errors': outcome.errors });
    names['#errors'] = 'errors';
  }
  return {
    UpdateExpression: `ADD pages_done :one, objects_found :found, objects_skipped :skipped, objects_published :published, objects_failed :failed SET ${sets.join(', ')}`,
    ConditionExpression: '#status = :publishing',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function toPageState(item: Record<string, unknown>): PageState {
  return {
    page: Number(String(item.sk).slice(PAGE.length)),
    sent: item.sent_at !== undefined,
    done: item.done_at !== undefined,
    ...(item.done_at !== undefined ? { next: (item.next as string | null | undefined) ?? null } : {}),
  };
}

function toRecord(item: Record<string, unknown>): ExecutionRecord {
  const { pk: _pk, sk: _sk, sweep_pk: _sp, sweep_sk: _ss, last_progress_at: _lp, queue_url: _q, ...rest } = item;
  const record = rest as unknown as ExecutionRecord;
  const errors = ((record.errors as string[] | null | undefined) ?? []).slice(0, detachedLimits.errorsPerExecution);
  return {
    ...record,
    objects_found: Number(record.objects_found ?? 0),
    objects_published: Number(record.objects_published ?? 0),
    objects_failed: Number(record.objects_failed ?? 0),
    objects_skipped: Number(record.objects_skipped ?? 0),
    pages_done: Number(record.pages_done ?? 0),
    pages_total: record.pages_total === null || record.pages_total === undefined ? null : Number(record.pages_total),
    errors: errors.length ? errors : null,
    lineage: (record.lineage as string[] | undefined) ?? [],
  };
}
