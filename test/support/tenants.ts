import { randomUUID } from 'node:crypto';
import { createDynamoApiKeyStore } from '../../functions/adapters/dynamodb/api-key-store.ts';
import { createDynamoProjectStore } from '../../functions/adapters/dynamodb/project-store.ts';
import { issueApiKey } from '../../functions/core/auth/issue-key.ts';
import { newProjectId, newUuidV7 } from '../../functions/shared/ids.ts';
import { tables } from '../../lib/catalogue.ts';

export interface TestTenant {
  orgId: string;
  /** The generated project id (`prj_…`). */
  projectId: string;
  projectName: string;
  keyId: string;
  apiKey: string;
}

/** A fresh org and project with a working API key, so tests never see each other's data. */
export async function createTenant(label = 'test'): Promise<TestTenant> {
  const suffix = randomUUID().slice(0, 8);
  return createTenantKey(`org-${label}-${suffix}`, `project-${label}-${suffix}`);
}

/**
 * A new API key of the org's project named `projectName` (created on first
 * use, as `npm run api-key -- create` does), stored in the tables this
 * process's environment names (the local ones without it).
 */
export async function createTenantKey(orgId: string, projectName: string): Promise<TestTenant> {
  const table = (id: 'apiKeys' | 'projects') => process.env[tables[id].envName] ?? tables[id].localName;
  const { key, keyId, project } = await issueApiKey(
    {
      projects: createDynamoProjectStore(table('projects')),
      keys: createDynamoApiKeyStore(table('apiKeys')),
      newProjectId,
      newKeyId: () => `key_${newUuidV7()}`,
      now: () => new Date(),
    },
    { orgId, projectName },
  );
  return { orgId, projectId: project.projectId, projectName: project.name, keyId, apiKey: key };
}

/** The key alone, for tests that only call the API. */
export async function createKey(orgId: string, projectName: string): Promise<string> {
  return (await createTenantKey(orgId, projectName)).apiKey;
}
