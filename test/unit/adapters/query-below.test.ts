import type { DynamoDBDocumentClient, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { queryBelow } from '../../../functions/adapters/dynamodb/query-below.ts';
import { MAX_ITEMS_PER_READ, queryUpTo } from '../../../functions/adapters/dynamodb/query-up-to.ts';

/** A partition of the given sort keys, answering the two key conditions queryBelow sends, newest first, in pages of `Limit`. */
function partition(sks: string[]) {
  const inputs: QueryCommandInput[] = [];
  const client = {
    async send({ input }: QueryCommand) {
      inputs.push(input);
      const values = input.ExpressionAttributeValues!;
      const first = values[':first'] as string;
      const before = values[':before'] as string | undefined;
      const matching = sks
        .filter((sk) => (before === undefined ? sk.startsWith(first) : sk >= first && sk <= before))
        .sort()
        .reverse();
      const start = input.ExclusiveStartKey ? matching.indexOf(input.ExclusiveStartKey.sk as string) + 1 : 0;
      const page = matching.slice(start, start + input.Limit!);
      const more = start + page.length < matching.length;
      return { Items: page.map((sk) => ({ pk: values[':pk'], sk })), ...(more ? { LastEvaluatedKey: { pk: values[':pk'], sk: page.at(-1) } } : {}) };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, inputs };
}

const keys = ['STATS', 'SUB#1', 'SUB#2', 'SUB#3', 'SUB#4', 'SUB#5', 'SUB#6'];
const sks = (items: Record<string, unknown>[]) => items.map((item) => item.sk);

describe('queryBelow', () => {
  it('without a bound, lists the newest `count` items under the prefix, asking for exactly that many', async () => {
    const { client, inputs } = partition(keys);
    const items = await queryBelow(client, { tableName: 't', pk: 'P', prefix: 'SUB#', count: 3 });
    expect(sks(items)).toEqual(['SUB#6', 'SUB#5', 'SUB#4']);
    expect(inputs).toEqual([
      {
        TableName: 't',
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :first)',
        ExpressionAttributeValues: { ':pk': 'P', ':first': 'SUB#' },
        ScanIndexForward: false,
        Limit: 3,
        ExclusiveStartKey: undefined,
      },
    ]);
  });

  it('with a bound, lists `count` items strictly below it, asking for one more and dropping the bound', async () => {
    const { client, inputs } = partition(keys);
    const items = await queryBelow(client, { tableName: 't', pk: 'P', prefix: 'SUB#', before: 'SUB#5', count: 2 });
    expect(sks(items)).toEqual(['SUB#4', 'SUB#3']);
    expect(inputs[0]).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :before',
      ExpressionAttributeValues: { ':pk': 'P', ':first': 'SUB#', ':before': 'SUB#5' },
      ScanIndexForward: false,
      Limit: 3,
    });
  });

  it('with a bound that is no longer stored, still lists `count` items below it', async () => {
    const { client } = partition(keys.filter((sk) => sk !== 'SUB#5'));
    expect(sks(await queryBelow(client, { tableName: 't', pk: 'P', prefix: 'SUB#', before: 'SUB#5', count: 2 }))).toEqual(['SUB#4', 'SUB#3']);
  });

  it('ends with the prefix: no item of another prefix, fewer items when the partition runs out', async () => {
    const { client } = partition(keys);
    expect(sks(await queryBelow(client, { tableName: 't', pk: 'P', prefix: 'SUB#', before: 'SUB#3', count: 5 }))).toEqual(['SUB#2', 'SUB#1']);
    expect(sks(await queryBelow(client, { tableName: 't', pk: 'P', prefix: 'SUB#', count: 10 }))).toHaveLength(6);
  });

  it('sends the projection as given, and none without one', async () => {
    const { client, inputs } = partition(keys);
    const projection = { ProjectionExpression: 'sk, #status', ExpressionAttributeNames: { '#status': 'status' } };
    await queryBelow(client, { tableName: 't', pk: 'P', prefix: 'SUB#', before: 'SUB#5', count: 1, projection });
    await queryBelow(client, { tableName: 't', pk: 'P', prefix: 'SUB#', count: 1 });
    expect(inputs[0]).toMatchObject(projection);
    expect(inputs[1]).not.toHaveProperty('ProjectionExpression');
    expect(inputs[1]).not.toHaveProperty('ExpressionAttributeNames');
  });
});

describe('queryUpTo', () => {
  it.each([Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY, MAX_ITEMS_PER_READ + 1, 1.5, -1])('refuses to read an unbounded or impossible count (%s), before any request', async (count) => {
    const { client, inputs } = partition(keys);

    await expect(queryUpTo(client, { TableName: 't' }, count)).rejects.toThrow(RangeError);
    expect(inputs).toEqual([]);
    expect(MAX_ITEMS_PER_READ).toBe(200_000);
  });
});
