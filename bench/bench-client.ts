import { createDynamoApiKeyStore } from '../functions/adapters/dynamodb/api-key-store.ts';
import { generateApiKey } from '../functions/core/auth/api-key.ts';
import { tables } from '../lib/catalogue.ts';
import type { Platform } from '../lib/local/platform.ts';
import { apiClient } from '../test/support/api-client.ts';

/** An API client for a fresh key of `orgId`/`projectId` on the bench's platform. */
export async function benchClient(platform: Platform, orgId: string, projectId = orgId): Promise<ReturnType<typeof apiClient>> {
  const { key, keyHash } = generateApiKey();
  await createDynamoApiKeyStore(platform.endpoints.tables[tables.apiKeys.envName]!).create({
    keyHash,
    keyId: `key_${orgId}_${projectId}`,
    orgId,
    projectId,
    createdAt: new Date().toISOString(),
  });
  return apiClient(platform.endpoints.api!, key);
}
