import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NamespaceRecord } from '#core/replay-runs/namespaces.ts';
import type { NamespaceStore } from '#core/replay-runs/ports.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { batchGetAll } from './batch-get.ts';
import { whenConditionHolds } from './conditional.ts';
import { queryUpTo } from './query-up-to.ts';

/*
 * Namespaces of a project, in the replay table:
 *   PRJ#<project>#NS   NS#<name>   generation, purges [{generation, purged_at}] oldest first, updated_at
 * A namespace nobody purged has no item: it is at generation 1.
 */
const NS = 'NS#';
const nsPk = (projectId: string) => `PRJ#${projectId}#NS`;
const nsKey = (projectId: string, name: string) => ({ pk: nsPk(projectId), sk: NS + name });

export function createDynamoNamespaceStore(tableName: string): NamespaceStore {
  return {
    async purge(projectId, namespace, now, maxPurges) {
      // Read, then write conditioned on what was read: concurrent purges each end a generation of their own.
      for (;;) {
        const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: nsKey(projectId, namespace), ConsistentRead: true }));
        const generation = Item ? Number(Item.generation) : 1;
        if (generation > maxPurges) return 'limit';
        const previous = Item ? String(Item.updated_at) : '';
        const clock = now();
        const at = clock > previous ? clock : previous;
        const written = await whenConditionHolds(() =>
          dynamoDb.send(
            new UpdateCommand({
              TableName: tableName,
              Key: nsKey(projectId, namespace),
              UpdateExpression: 'SET #generation = :next, #name = :name, updated_at = :at, purges = list_append(if_not_exists(purges, :empty), :purge)',
              ConditionExpression: Item ? '#generation = :current' : 'attribute_not_exists(pk)',
              ExpressionAttributeNames: { '#generation': 'generation', '#name': 'namespace' },
              ExpressionAttributeValues: {
                ':next': generation + 1,
                ':name': namespace,
                ':at': at,
                ':empty': [],
                ':purge': [{ generation, purged_at: at }],
                ...(Item ? { ':current': generation } : {}),
              },
            }),
          ),
        );
        if (written) return { purged_generation: generation, generation: generation + 1, purged_at: at };
      }
    },

    async list(projectId, page) {
      // By name; a page after a name starts strictly past it.
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          KeyConditionExpression: page.afterName ? 'pk = :pk AND sk > :after' : 'pk = :pk AND begins_with(sk, :ns)',
          ExpressionAttributeValues: { ':pk': nsPk(projectId), ...(page.afterName ? { ':after': NS + page.afterName } : { ':ns': NS }) },
        },
        page.limit + 1,
      );
      return { items: items.slice(0, page.limit).map(toRecord), hasMore: items.length > page.limit };
    },

    async get(projectId, names) {
      const items = await batchGetAll(tableName, names.map((name) => nsKey(projectId, name)), 'namespaces', { consistentRead: true });
      return new Map(items.map((item) => {
        const record = toRecord(item);
        return [record.namespace, record] as const;
      }));
    },
  };
}

function toRecord(item: Record<string, unknown>): NamespaceRecord {
  return {
    namespace: String(item.namespace),
    generation: Number(item.generation),
    purges: ((item.purges as { generation: number; purged_at: string }[] | undefined) ?? []).map((p) => ({ generation: Number(p.generation), purged_at: String(p.purged_at) })),
    updated_at: String(item.updated_at),
  };
}
