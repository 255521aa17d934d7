import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChunkMessage, ChunkStore } from '#core/replay-runs/ports.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { MAX_TRANSACTION_ATTEMPTS, transactionBackoff, whenConditionHolds } from './conditional.ts';

/*
 * Chunks of full-fidelity runs, in the replay table:
 *   PRJ#<project>#RUN#<run>   CHUNK#<n, 6 digits>   state running|done, attempt, lease_until, block_micros, next_sent (TTL expires_at)
 * and the counts of their run's item (PRJ#<project> RUN#<run>). The run's
 * committed_micros is its spend plus what running chunks hold: a grant is an
 * ADD conditional on committed_micros staying within the budget, so chunks in
 * parallel lanes can never together hold more than the budget.
 */
const runKey = (projectId: string, runId: string) => ({ pk: `PRJ#${projectId}`, sk: `RUN#${runId}` });
const chunkKey = (m: ChunkMessage) => ({ pk: `PRJ#${m.project_id}#RUN#${m.run_id}`, sk: `CHUNK#${String(m.chunk).padStart(6, '0')}` });
/** Chunk items outlive their run's messages by far; the run keeps the counts. */
const CHUNK_TTL_SECONDS = 30 * 86_400;

export function createDynamoChunkStore(tableName: string): ChunkStore {
  return {
    async claimChunk(message, at) {
      const claimed = await whenConditionHolds(() =>
        dynamoDb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...chunkKey(message),
              state: 'running',
              attempt: 1,
              claimed_at: at.now,
              lease_until: at.leaseUntil,
              block_micros: 0,
              expires_at: Math.floor(Date.parse(at.now) / 1000) + CHUNK_TTL_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (claimed) return { state: 'claimed', attempt: 1 };
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: chunkKey(message), ConsistentRead: true }));
      if (!Item) throw new Error(`Chunk ${message.chunk} of ${message.run_id} was claimed but cannot be read`);
      if (Item.state === 'done') return { state: 'done', nextSent: Item.next_sent === true };
      if (String(Item.lease_until) > at.now) return { state: 'busy', leaseUntil: String(Item.lease_until) };
      return { state: 'abandoned', attempt: Number(Item.attempt), blockMicros: Number(Item.block_micros ?? 0), claimedAt: String(Item.claimed_at) };
    },

    async reserve(message, attempt, wantMicros, budgetMicros) {
      let want = Math.ceil(wantMicros);
      let exact: number | undefined;
      for (let tries = 1; want > 0; tries++) {
        try {
          await dynamoDb.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: runKey(message.project_id, message.run_id),
                    UpdateExpression: 'ADD committed_micros :want',
                    ConditionExpression:
                      exact === undefined ? '#status = :running AND committed_micros <= :limit' : '#status = :running AND committed_micros = :exact',
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: { ':want': want, ':running': 'running', ...(exact === undefined ? { ':limit': budgetMicros - want } : { ':exact': exact }) },
                  },
                },
                {
                  Update: {
                    TableName: tableName,
                    Key: chunkKey(message),
                    UpdateExpression: 'ADD block_micros :want',
                    ConditionExpression: '#state = :running AND attempt = :attempt',
                    ExpressionAttributeNames: { '#state': 'state' },
                    ExpressionAttributeValues: { ':want': want, ':running': 'running', ':attempt': attempt },
                  },
                },
              ],
            }),
          );
          return want;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const [onRun, onChunk] = (error.CancellationReasons ?? []).map((r) => r.Code);
          if (onChunk === 'ConditionalCheckFailed') return 0;
          if (tries >= MAX_TRANSACTION_ATTEMPTS * 2) throw error;
          if (onRun !== 'ConditionalCheckFailed') {
            await transactionBackoff(Math.min(tries, 5));
            continue;
          }
          // Less than asked is left: take what is (compared exactly, so two chunks cannot both take it).
          const { Item } = await dynamoDb.send(
            new GetCommand({
              TableName: tableName,
              Key: runKey(message.project_id, message.run_id),
              ConsistentRead: true,
              ProjectionExpression: '#status, committed_micros',
              ExpressionAttributeNames: { '#status': 'status' },
            }),
          );
          if (Item?.status !== 'running') return 0;
          exact = Number(Item.committed_micros ?? 0);
          want = Math.min(want, budgetMicros - exact);
        }
      }
      return 0;
    },

    async completeChunk(message, attempt, settlement, runAttempt, at, deadlineAt) {
      return whenConditionHolds(() =>
        dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: chunkKey(message),
                  UpdateExpression: 'SET #state = :done, done_at = :at, pairs = :pairs, failures = :failures, dropped = :dropped, spent_micros = :spent',
                  ConditionExpression: '#state = :running AND attempt = :attempt',
                  ExpressionAttributeNames: { '#state': 'state' },
                  ExpressionAttributeValues: {
                    ':done': 'done',
                    ':running': 'running',
                    ':attempt': attempt,
                    ':at': at,
                    ':pairs': settlement.pairs,
                    ':failures': settlement.failures,
                    ':dropped': settlement.dropped,
                    ':spent': settlement.spentMicros,
                  },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: runKey(message.project_id, message.run_id),
                  UpdateExpression:
                    'ADD chunks_done :one, pairs_done :pairs, failures_count :failures, dropped_count :dropped, spent_micros :spent, committed_micros :release, ' +
                    'estimated_done_micros :estimated, actual_done_micros :actual ' +
                    `SET deadline_at = :deadline, sweep_sk = :deadline${settlement.budgetStopped ? ', budget_stopped = :true' : ''}`,
                  ConditionExpression: '#status = :running AND attempt = :runAttempt',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':one': 1,
                    ':pairs': settlement.pairs,
                    ':failures': settlement.failures,
                    ':dropped': settlement.dropped,
                    ':spent': settlement.spentMicros,
                    // What the chunk held is replaced by what it spent.
                    ':release': settlement.spentMicros - settlement.blockMicros,
                    ':estimated': settlement.estimatedMicros,
                    ':actual': settlement.actualMicros,
                    ':deadline': deadlineAt,
                    ':running': 'running',
                    ':runAttempt': runAttempt,
                    ...(settlement.budgetStopped ? { ':true': true } : {}),
                  },
                },
              },
            ],
          }),
        ),
      );
    },

    async markNextSent(message) {
      await dynamoDb.send(new UpdateCommand({ TableName: tableName, Key: chunkKey(message), UpdateExpression: 'SET next_sent = :true', ExpressionAttributeValues: { ':true': true } }));
    },

    async markHeadsSent(projectId, runId) {
      await dynamoDb.send(
        new UpdateCommand({ TableName: tableName, Key: runKey(projectId, runId), UpdateExpression: 'SET heads_sent = :true', ExpressionAttributeValues: { ':true': true } }),
      );
    },
  };
}
