import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '../aws/dynamodb-client.ts';

/** DynamoDB's BatchGetItem reads at most this many keys a call. */
const KEYS_PER_CALL = 100;
const MAX_RETRIES = 8;

/**
 * Every item of `keys` that exists (in no particular order), read in calls of
 * 100 keys; keys DynamoDB leaves unprocessed are asked again with backoff,
 * and still unread after eight retries is an error naming `what`.
 */
export async function batchGetAll(tableName: string, keys: Record<string, unknown>[], what: string, options: { consistentRead: boolean }): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_CALL) {
    let pending = keys.slice(i, i + KEYS_PER_CALL);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > MAX_RETRIES) throw new Error(`DynamoDB left ${pending.length} ${what} unread`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
      const { Responses, UnprocessedKeys } = await dynamoDb.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistentRead } } }));
      found.push(...(Responses?.[tableName] ?? []));
      pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}
