import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { apiClient } from '../../support/api-client.ts';
import { createTenant } from '../../support/tenants.ts';

/*
 * Inputs that answered 500 before the JSON value rules (issue 14 §1), on the
 * routes outside the ledger (whose cases are in ledger-json-values.test.ts):
 * each is now a 4xx in its family's shape naming the field.
 */

let gateway: HttpGateway;
let api: ReturnType<typeof apiClient>;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
  api = apiClient(gateway.url, (await createTenant('was500')).apiKey);
});
afterAll(() => gateway.stop());

const post = (path: string, raw: string) => api.request('POST', path, { raw, headers: { 'content-type': 'application/json' } });

const report = (metrics: string) =>
  `{"replay_run_id":"rpl_x","project_id":"prj_x","baseline":"managed","candidate":"managed_mini","replay_class":"tokenized_performance",` +
  `"created_at":"2026-11-25T09:00:00Z","provenance":{},"traffic_manifest":{},"metrics":${metrics},"evidence_digest":"sha256_${'0'.repeat(64)}"}`;

describe('POST /v2/replay-reports/verify', () => {
  it.each([
    ['a lone surrogate in a metrics value', report('{"note":"\\ud800"}'), 'metrics.note'],
    ['a lone surrogate in a metrics key', report('{"\\udc00":1}'), 'metrics.\udc00'],
    ['a number canonical JSON cannot keep', report('{"n":1e400}'), 'metrics.n'],
  ])('answers 400 naming the field for %s', async (_case, raw, param) => {
    const response = await post('/v2/replay-reports/verify', raw);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { type: 'invalid_request_error', message: expect.any(String), param } });
  });
});

describe('POST /api/v1/replay', () => {
  it.each([
    ['from_stage', '{"from_execution_id":"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b","from_stage":"boost\\ud800","to_route":"example-ingest"}'],
    ['from_path', '{"from_execution_id":"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b","from_stage":"boost","from_path":"a/\\udfff","to_route":"example-ingest"}'],
  ])('answers 422 naming %s for a lone surrogate (an S3 key cannot hold it)', async (field, raw) => {
    const response = await post('/api/v1/replay', raw);
    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual([expect.objectContaining({ loc: ['body', field], type: 'string_unicode' })]);
  });
});
