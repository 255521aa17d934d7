import { randomUUID } from 'node:crypto';
import { createDynamoApiKeyStore } from '../../functions/adapters/dynamodb/api-key-store.ts';
import { generateApiKey } from '../../functions/core/auth/api-key.ts';
import { tables } from '../../lib/catalogue.ts';

export interface TestTenant {
  orgId: string;
  projectId: string;
  apiKey: string;
}

/** A fresh org and project with a working API key, so tests never see each other's data. */
export async function createTenant(label = 'test'): Promise<TestTenant> {
  const suffix = randomUUID().slice(0, 8);
  const orgId = `org-${label}-${suffix}`;
  const projectId = `prj-${label}-${suffix}`;
  return { orgId, projectId, apiKey: await createKey(orgId, projectId, `key_${suffix}`) };
}

/**
 * Stores a fresh API key of `orgId`/`projectId` in the API keys table this
 * process's environment names (the local one without it); returns the key.
 */
export async function createKey(orgId: string, projectId: string, keyId = `key_${orgId}_${projectId}`): Promise<string> {
  const { key, keyHash } = generateApiKey();
  const store = createDynamoApiKeyStore(process.env[tables.apiKeys.envName] ?? tables.apiKeys.localName);
  await store.create({ keyHash, keyId, orgId, projectId, createdAt: new Date().toISOString() });
  return key;
}
