import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '#core/auth/api-key.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { whenConditionHolds } from './conditional.ts';

/** API keys by SHA-256; the key itself is never stored. */
export function createDynamoApiKeyStore(tableName: string) {
  return {
    async find(keyHash: string): Promise<ApiKeyRecord | undefined> {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: { key_hash: keyHash } }));
      return Item ? toRecord(Item) : undefined;
    },

    /** The key with this id (through the `by_key_id` index), for revoking by id. */
    async findByKeyId(keyId: string): Promise<ApiKeyRecord | undefined> {
      const { Items } = await dynamoDb.send(
        new QueryCommand({ TableName: tableName, IndexName: 'by_key_id', KeyConditionExpression: 'key_id = :id', ExpressionAttributeValues: { ':id': keyId }, Limit: 1 }),
      );
      return Items?.[0] ? toRecord(Items[0]) : undefined;
    },

    async create(record: ApiKeyRecord): Promise<void> {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            key_hash: record.keyHash,
            key_id: record.keyId,
            org_id: record.orgId,
            project_id: record.projectId,
            project_name: record.projectName,
            created_at: record.createdAt,
            label: record.label,
          },
          ConditionExpression: 'attribute_not_exists(key_hash)',
        }),
      );
    },

    /** Marks the key revoked; false when no such key exists. */
    revoke(keyHash: string, at: string): Promise<boolean> {
      return whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { key_hash: keyHash },
            UpdateExpression: 'SET revoked_at = :at',
            ConditionExpression: 'attribute_exists(key_hash)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },
  };
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    keyHash: String(item.key_hash),
    keyId: String(item.key_id),
    orgId: String(item.org_id),
    projectId: String(item.project_id),
    // Keys from before project ids named their project in project_id.
    projectName: String(item.project_name ?? item.project_id),
    createdAt: String(item.created_at),
    ...(item.label ? { label: String(item.label) } : {}),
    ...(item.revoked_at ? { revokedAt: String(item.revoked_at) } : {}),
  };
}
