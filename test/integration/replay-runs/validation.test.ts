import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { replayRunLimits } from '../../../functions/core/replay-runs/limits.ts';
import { apiClient } from '../../support/api-client.ts';
import { expectInvalid, expectNotFound, HOUR, isoIn, tenantApi, threeTraces } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

const tokenized = { baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance' };
const manyTraces = (n: number) => Array.from({ length: n }, () => ({ input_tokens: 10, output_tokens: 1 }));

describe('POST /v2/replay-runs refuses invalid input with a 400 naming the parameter, and creates nothing', () => {
  it.each<[string, Record<string, unknown>, string | RegExp]>([
    ['an empty baseline', { baseline: '', candidate: 'managed' }, 'baseline'],
    ['an empty candidate', { baseline: 'managed', candidate: '' }, 'candidate'],
    ['a whitespace-only baseline', { baseline: '  \t ', candidate: 'managed' }, 'baseline'],
    ['a whitespace-only candidate', { baseline: 'managed', candidate: '   ' }, 'candidate'],
    ['an unknown replay_class', { baseline: 'managed', candidate: 'managed_mini', replay_class: 'load_test' }, 'replay_class'],
    ['tokenized_performance without a manifest', tokenized, 'traffic_manifest_ref'],
    ['both traces and traffic_manifest_ref', { ...tokenized, traces: threeTraces, traffic_manifest_ref: 'usage:3' }, /^(traces|traffic_manifest_ref)$/],
    ['traffic_manifest_ref "foo"', { ...tokenized, traffic_manifest_ref: 'foo' }, 'traffic_manifest_ref'],
    ['traffic_manifest_ref "usage:0"', { ...tokenized, traffic_manifest_ref: 'usage:0' }, 'traffic_manifest_ref'],
    ['traffic_manifest_ref "usage:abc"', { ...tokenized, traffic_manifest_ref: 'usage:abc' }, 'traffic_manifest_ref'],
    ['traffic_manifest_ref "usage:5001"', { ...tokenized, traffic_manifest_ref: 'usage:5001' }, 'traffic_manifest_ref'],
    ['"usage:N" with no usage recorded', { ...tokenized, traffic_manifest_ref: 'usage:10' }, 'traffic_manifest_ref'],
    ['5,001 inline traces', { ...tokenized, traces: manyTraces(5_001) }, 'traces'],
    ['an empty traces array', { ...tokenized, traces: [] }, 'traces'],
    [
      'a trace with realized_reused_tokens above input_tokens',
      { ...tokenized, traces: [{ input_tokens: 100, output_tokens: 1, realized_reused_tokens: 101 }] },
      'traces.0.realized_reused_tokens',
    ],
    ['scheduled_for "tomorrow"', { baseline: 'managed', candidate: 'managed_mini', scheduled_for: 'tomorrow' }, 'scheduled_for'],
    ['scheduled_for on February 30', { ...tokenized, traces: threeTraces, scheduled_for: '2026-02-30T00:00:00Z' }, 'scheduled_for'],
    ['scheduled_for at 24:00', { ...tokenized, traces: threeTraces, scheduled_for: '2026-12-01T24:00:00Z' }, 'scheduled_for'],
    ['scheduled_for with month 13', { ...tokenized, traces: threeTraces, scheduled_for: '2026-13-01T00:00:00Z' }, 'scheduled_for'],
    ['scheduled_for more than a year ahead', { ...tokenized, traces: threeTraces, scheduled_for: isoIn(366 * 24 * HOUR) }, 'scheduled_for'],
    ['an unknown baseline name', { baseline: 'no-such-profile', candidate: 'managed' }, 'baseline'],
    ['an unknown candidate name', { baseline: 'managed', candidate: 'No Such Target' }, 'candidate'],
    ['a baseline fixed target without a list price', { ...tokenized, baseline: 'mistral/mistral-large', traces: threeTraces }, 'baseline'],
    ['a candidate fixed target without a list price', { ...tokenized, candidate: 'openai/gpt-9@2030-01-01', traces: threeTraces }, 'candidate'],
    ['an unknown body key', { baseline: 'managed', candidate: 'managed_mini', priority: 'high' }, 'priority'],
    ['concurrency 0', { baseline: 'managed', candidate: 'managed_mini', concurrency: 0 }, 'concurrency'],
    ['concurrency 1,001', { baseline: 'managed', candidate: 'managed_mini', concurrency: 1_001 }, 'concurrency'],
    ['fractional repetitions', { ...tokenized, traces: threeTraces, repetitions: 1.5 }, 'repetitions'],
    ['traces on routing_simulation', { baseline: 'managed', candidate: 'managed_mini', traces: threeTraces }, /^(traces|traffic_manifest_ref)$/],
  ])('%s', async (_case, body, param) => {
    // Prepare
    const { api } = await tenantApi(gateway, 'invalid');

    // Act
    const response = await api.post('/v2/replay-runs', body);

    // Assess
    expectInvalid(response, param);
    const list = await api.get('/v2/replay-runs');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([]);
  });

  it.each([
    // Every class is available; each refuses what it cannot replay, naming what is missing.
    ['synthetic_performance', undefined, 'traffic_manifest_ref'],
    ['full_fidelity_evaluation', threeTraces, 'traces.0.messages'],
    ['purge_verification', threeTraces, 'traces'],
  ] as const)(
    'answers 400 when %s gets traffic it cannot replay (never 500), and the list stays the same',
    async (replayClass, traces, param) => {
      // Prepare: a project that already has one run
      const { api } = await tenantApi(gateway, 'unreplayable');
      const existing = await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed_mini' });
      expect(existing.status).toBe(201);
      const before = await api.get('/v2/replay-runs');

      // Act
      const response = await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed_mini', replay_class: replayClass, traces });

      // Assess
      expectInvalid(response, param);
      expect(response.body.error.message).toContain(replayClass);
      const after = await api.get('/v2/replay-runs');
      expect(after.body.data).toEqual(before.body.data);
      expect(after.body.data.map((r: { id: string }) => r.id)).toEqual([existing.body.id]);
    },
  );
});

describe('cancel, 404 and 401', () => {
  it('answers 400 for canceling a run that is not queued (a completed routing_simulation), and leaves it completed', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'cancel-done');
    const run = (await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'byoc_us_east' })).body;
    expect(run.status).toBe('completed');

    // Act
    const response = await api.post(`/v2/replay-runs/${run.id}/cancel`);

    // Assess
    expectInvalid(response, 'replay_run_id');
    expect(response.body.error.message).toContain('completed');
    expect((await api.get(`/v2/replay-runs/${run.id}`)).body).toEqual(run);
  });

  it('accepts a create body of exactly 3 MiB and refuses one byte more with a 413 in the v2 shape', async () => {
    const { api } = await tenantApi(gateway, 'body-limit');
    const body = JSON.stringify({ ...tokenized, traces: threeTraces });
    const padded = (bytes: number) => body + ' '.repeat(bytes - Buffer.byteLength(body));
    const post = (raw: string) => api.request('POST', '/v2/replay-runs', { raw, headers: { 'content-type': 'application/json' } });

    const atLimit = await post(padded(replayRunLimits.maxBodyBytes));
    const over = await post(padded(replayRunLimits.maxBodyBytes + 1));

    expect(atLimit.status).toBe(201);
    expect(over.status).toBe(413);
    expect(over.body.error).toMatchObject({ type: 'invalid_request_error' });
  });

  it('answers 404 for an unknown run id on get, cancel and report', async () => {
    const { api } = await tenantApi(gateway, 'unknown');
    const id = 'rpl_01jy7nfg01j2k3l4m5n6o7p8qr';

    expectNotFound(await api.get(`/v2/replay-runs/${id}`));
    expectNotFound(await api.post(`/v2/replay-runs/${id}/cancel`));
    expectNotFound(await api.get(`/v2/replay-runs/${id}/report`));
  });

  it('answers 401 in the invalid_api_key shape without a key or with a wrong one, on every route', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'auth');
    const run = (await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed_mini' })).body;
    const anonymous = apiClient(gateway.url);
    const wrongKey = apiClient(gateway.url, 'rk_live_not-a-real-key');

    // Act
    const responses = [];
    for (const client of [anonymous, wrongKey]) {
      responses.push(
        await client.get('/v2/replay-runs'),
        await client.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed_mini' }),
        await client.get(`/v2/replay-runs/${run.id}`),
        await client.post(`/v2/replay-runs/${run.id}/cancel`),
        await client.get(`/v2/replay-runs/${run.id}/report`),
        await client.put('/v2/aliases/prod', { releases: [{ target: 'openai/gpt-4o', weight: 1 }] }),
        await client.get('/v2/aliases'),
        await client.get('/v2/usage-events'),
      );
    }

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { type: 'invalid_api_key' } });
    }
    expect((await api.get('/v2/replay-runs')).body.data).toHaveLength(1);
  });
});
