import type { Platform } from '../lib/local/platform.ts';
import { apiClient } from '../test/support/api-client.ts';
import { createKey } from '../test/support/tenants.ts';

/**
 * An API client for a fresh key of `orgId`/`projectId` on the bench's
 * platform (which, started in this process, put its tables in the environment).
 */
export async function benchClient(platform: Platform, orgId: string, projectId = orgId): Promise<ReturnType<typeof apiClient>> {
  return apiClient(platform.endpoints.api!, await createKey(orgId, projectId));
}
