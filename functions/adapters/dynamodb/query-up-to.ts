import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * No list is read without a bound: the deepest a request may read is a
 * `skip` of 100,000 history keys; the others stop at a few hundred (see the
 * README's limits). A count beyond this (or not a count at all) is a bug.
 */
export const MAX_ITEMS_PER_READ = 200_000;

/**
 * Runs a query until `count` items are collected or the partition ends: one
 * DynamoDB page holds at most 1 MB, so a single call may return fewer items
 * than asked even when more exist.
 */
export async function queryUpTo(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  count: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_ITEMS_PER_READ) {
    throw new RangeError(`A query reads at most ${MAX_ITEMS_PER_READ} items; ${count} asked for`);
  }
  const items: Record<string, unknown>[] = [];
  let exclusiveStartKey = startKey;
  while (items.length < count) {
    const page = await client.send(
      new QueryCommand({ ...input, Limit: Math.min(count - items.length, 1000), ExclusiveStartKey: exclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    exclusiveStartKey = page.LastEvaluatedKey;
    if (!exclusiveStartKey) break;
  }
  return { items, ...(exclusiveStartKey ? { lastKey: exclusiveStartKey } : {}) };
}
