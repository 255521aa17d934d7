import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryUpTo } from './query-up-to.ts';

/** The attributes a query returns: an expression, with the names of the placeholders it uses. */
export type Projection = Pick<QueryCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'>;

export interface BelowQuery {
  tableName: string;
  /** The partition, in attribute `pk`. */
  pk: string;
  /** What the sort keys (attribute `sk`) of the listed items start with. */
  prefix: string;
  /** A sort key under `prefix`: only items strictly below it are listed (all items without it). */
  before?: string | undefined;
  count: number;
  projection?: Projection;
}

/**
 * Up to `count` items of a partition whose sort key starts with `prefix`,
 * newest (highest sort key) first, strictly below `before`. The bound is a
 * key condition rather than an `ExclusiveStartKey`: both are logarithmic on
 * DynamoDB, but only the key condition is on DynamoDB Local, where a start key
 * costs time linear in depth.
 */
export async function queryBelow(
  client: DynamoDBDocumentClient,
  { tableName, pk, prefix, before, count, projection }: BelowQuery,
): Promise<Record<string, unknown>[]> {
  const input: QueryCommandInput = {
    TableName: tableName,
    KeyConditionExpression: before ? 'pk = :pk AND sk BETWEEN :first AND :before' : 'pk = :pk AND begins_with(sk, :first)',
    ExpressionAttributeValues: { ':pk': pk, ':first': prefix, ...(before ? { ':before': before } : {}) },
    ScanIndexForward: false,
    ...projection,
  };
  // BETWEEN is inclusive: ask for one more and drop the bound itself.
  const { items } = await queryUpTo(client, input, before ? count + 1 : count);
  return (before ? items.filter((item) => item.sk !== before) : items).slice(0, count);
}
