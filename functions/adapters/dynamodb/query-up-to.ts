import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

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
