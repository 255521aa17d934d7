import type { HttpGateway } from '../../../lib/local/http-gateway.ts';
import { apiClient } from '../../support/api-client.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';

export type Api = ReturnType<typeof apiClient>;

/** A fresh tenant (org, project, key) and a client bound to its key. */
export async function tenantApi(gateway: HttpGateway, label: string): Promise<{ tenant: TestTenant; api: Api }> {
  const tenant = await createTenant(label);
  return { tenant, api: apiClient(gateway.url, tenant.apiKey) };
}

/** A valid body of `POST /api/v1/replay/{run_id}/results`, with `overrides` on top. */
export const result = (overrides: Record<string, unknown> = {}) => ({
  status: 'success',
  actions_replayed: 8,
  actions_total: 10,
  divergences: 1,
  cost_savings: 0.25,
  ...overrides,
});
