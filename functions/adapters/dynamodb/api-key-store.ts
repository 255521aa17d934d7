import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '#core/auth/api-key.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { whenConditionHolds } from './conditional.ts';

/** API keys by SHA-256; the key itself is never stored. */
export function createDynamoApiKeyStore(tableName: string) {
  return {
    async find(keyHash: string): Promise<ApiKeyRecord | undefined> {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: { key_hash: keyHash } }));
      if (!Item) return undefined;
      return {
        keyHash: String(Item.key_hash),
        keyId: String(Item.key_id),
        orgId: String(Item.org_id),
        projectId: String(Item.project_id),
        createdAt: String(Item.created_at),
        ...(Item.label ? { label: String(Item.label) } : {}),
        ...(Item.revoked_at ? { revokedAt: String(Item.revoked_at) } : {}),
      };
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
