import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { deliver, HOUR, isoIn, requiredEnv, tenantApi, threeTraces, type Api } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

const packageVersion = (JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/** The §20.5 provenance fields of the contract, plus retry policy and provider rate limits. */
const PROVENANCE_FIELDS = [
  'trace_schema_version',
  'replay_runner_version',
  'runtime_engine_version',
  'model_alias_release',
  'resolved_model_revision',
  'prompt_compiler_revision',
  'tokenizer_revision',
  'cache_mode',
  'warmup_period_s',
  'cold_start_period_s',
  'request_arrival_schedule',
  'concurrency',
  'repetitions',
  'confidence_intervals',
  'quality_evaluator_version',
  'failures_and_dropped',
  'retry_policy',
  'provider_rate_limits',
] as const;

interface Report {
  provenance: Record<string, unknown>;
  traffic_manifest: Record<string, unknown>;
  metrics: Record<string, any>;
  evidence_digest: string | null;
  [field: string]: unknown;
}

/** The digest recomputed here, independently of the platform's report module. */
function expectedDigest(report: Report): string {
  // Written out here, not imported, so that the test pins the digest input the README documents.
  const { replay_run_id, project_id, baseline, candidate, replay_class, created_at, provenance, traffic_manifest, metrics } = report;
  const canonical = canonicalize({ replay_run_id, project_id, baseline, candidate, replay_class, created_at, provenance, traffic_manifest, metrics });
  if (canonical === undefined) throw new Error('cannot canonicalize the report');
  return `sig_${createHmac('sha256', requiredEnv('REPORT_SIGNING_KEY')).update(canonical, 'utf8').digest('hex')}`;
}

async function completedTokenizedRun(api: Api, projectId: string, body: Record<string, unknown> = {}) {
  const created = await api.post('/v2/replay-runs', {
    baseline: 'managed',
    candidate: 'managed_mini',
    replay_class: 'tokenized_performance',
    traces: threeTraces,
    scheduled_for: isoIn(HOUR),
    ...body,
  });
  expect(created.status).toBe(201);
  const pending = (await api.get(`/v2/replay-runs/${created.body.id}/report`)).body as Report;
  expect((await deliver(projectId, created.body.id)).batchItemFailures).toEqual([]);
  const run = (await api.get(`/v2/replay-runs/${created.body.id}`)).body;
  expect(run.status).toBe('completed');
  return { run, pending };
}

const verify = async (api: Api, report: unknown) => {
  const response = await api.post('/v2/replay-reports/verify', report);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { valid: boolean; digest_type: string };
};

describe('GET /v2/replay-runs/{id}/report', () => {
  it('shows a pending note and no digest before completion', async () => {
    const { tenant, api } = await tenantApi(gateway, 'report-pending');

    const { pending } = await completedTokenizedRun(api, tenant.projectId);

    expect(pending).toMatchObject({ object: 'replay_report', status: 'queued', evidence_digest: null, recommended_profile: 'n/a' });
    expect(Object.keys(pending.metrics)).toEqual(['pending']);
    expect(pending.metrics.pending).toMatch(/Queued until .+metrics appear when the run completes/);
    expect(pending.traffic_manifest).toMatchObject({ ref: 'inline', traces: 3 });
  });

  it('pins full provenance at completion with the run\'s concurrency and repetitions and the platform versions', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'report-prov');
    const { run } = await completedTokenizedRun(api, tenant.projectId, { concurrency: 7, repetitions: 3 });

    // Act
    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body as Report;

    // Assess
    expect(report).toMatchObject({
      object: 'replay_report',
      replay_run_id: run.id,
      status: 'completed',
      baseline: 'managed',
      candidate: 'managed_mini',
      replay_class: 'tokenized_performance',
    });
    for (const field of PROVENANCE_FIELDS) expect(report.provenance, field).toHaveProperty(field);
    for (const field of PROVENANCE_FIELDS) expect(report.provenance[field], field).not.toBeUndefined();
    expect(report.provenance.concurrency).toBe(7);
    expect(report.provenance.repetitions).toBe(3);
    expect(report.provenance.replay_runner_version).toBe(`rr_${packageVersion}`);
    expect(String(report.provenance.runtime_engine_version)).toMatch(new RegExp(`/${packageVersion.replaceAll('.', '\\.')}$`));
    expect(report.provenance.model_alias_release).toEqual({ baseline: null, candidate: null });
    expect(report.provenance.resolved_model_revision).toEqual({ baseline: 'unpinned', candidate: 'unpinned' });
    expect(report.provenance.failures_and_dropped).toEqual({ failures: 0, dropped: 0 });
    expect(report.traffic_manifest).toEqual({
      ref: 'inline',
      traces: 3,
      total_input_tokens: 30_000,
      total_output_tokens: 1_500,
      total_realized_reuse_tokens: 10_000,
      traces_with_full_fidelity_payload: 0,
    });
    expect(report.metrics).toEqual(run.metrics);
    expect(report.recommended_profile).toBe(run.metrics.recommended_profile);
    expect(Array.isArray(report.assumptions) && report.assumptions.length).toBeGreaterThan(0);
    expect(Array.isArray(report.known_limitations) && report.known_limitations.length).toBeGreaterThan(0);
    expect(typeof report.quality_guardrails).toBe('string');
    expect(report.generated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('carries an evidence digest equal to an HMAC-SHA256 recomputed here, which verify accepts', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'report-digest');
    const { run } = await completedTokenizedRun(api, tenant.projectId);

    // Act
    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body as Report;
    const verdict = await verify(api, report);

    // Assess
    expect(report.evidence_digest).toMatch(/^sig_[0-9a-f]{64}$/);
    expect(report.evidence_digest).toBe(expectedDigest(report));
    expect(verdict).toMatchObject({ valid: true, digest_type: 'hmac_sha256' });
  });

  it('signs the inline routing_simulation report the same way', async () => {
    const { api } = await tenantApi(gateway, 'report-routing');
    const run = (await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'byoc_us_east' })).body;

    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body as Report;

    expect(report.status).toBe('completed');
    expect(report.metrics).toEqual(run.metrics);
    for (const field of PROVENANCE_FIELDS) expect(report.provenance, field).toHaveProperty(field);
    expect(report.evidence_digest).toBe(expectedDigest(report));
    expect((await verify(api, report)).valid).toBe(true);
  });

  it('fails verification when one byte of metrics or provenance changes', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'report-tamper');
    const { run } = await completedTokenizedRun(api, tenant.projectId);
    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body as Report;
    const copy = () => JSON.parse(JSON.stringify(report)) as Report;
    const cost = report.metrics.metric_deltas.provider_cost_micros;

    const cheaperCandidate = copy();
    cheaperCandidate.metrics.metric_deltas.provider_cost_micros.candidate = cost.candidate - 1;
    const otherConcurrency = copy();
    otherConcurrency.provenance.concurrency = 2;
    const otherRevision = copy();
    otherRevision.provenance.tokenizer_revision = `${String(report.provenance.tokenizer_revision).slice(0, -1)}X`;
    const otherManifest = copy();
    otherManifest.traffic_manifest.traces = 4;

    // Act
    const verdicts = await Promise.all([cheaperCandidate, otherConcurrency, otherRevision, otherManifest].map((r) => verify(api, r)));

    // Assess
    expect((await verify(api, report)).valid).toBe(true);
    expect(verdicts.map((v) => v.valid)).toEqual([false, false, false, false]);
  });

  it('fails verification when the report is relabelled to another run, project, model pair, class or creation time', async () => {
    // Prepare: a valid report re-attached elsewhere must not verify there
    const { tenant, api } = await tenantApi(gateway, 'report-relabel');
    const { run } = await completedTokenizedRun(api, tenant.projectId);
    const other = (await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'byoc_us_east' })).body;
    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body as Report;
    const relabelled: Record<string, unknown> = {
      replay_run_id: other.id,
      project_id: 'prj_01kb00000000000000000other',
      baseline: 'managed_mini',
      candidate: 'byoc_us_east',
      replay_class: 'routing_simulation',
      created_at: new Date(Date.parse(run.created_at) + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };

    // Act
    const verdicts = await Promise.all(Object.entries(relabelled).map(([field, value]) => verify(api, { ...report, [field]: value })));

    // Assess
    expect(report).toMatchObject({ replay_run_id: run.id, project_id: tenant.projectId, created_at: run.created_at });
    expect((await verify(api, report)).valid).toBe(true);
    expect(verdicts.map((v) => v.valid)).toEqual(Object.keys(relabelled).map(() => false));
  });

  it('does not accept a tampered report re-digested with the unkeyed checksum where a signing key is configured', async () => {
    // Prepare: anyone can compute sha256_ over edited metrics; only the platform can produce sig_.
    const { tenant, api } = await tenantApi(gateway, 'report-downgrade');
    const { run } = await completedTokenizedRun(api, tenant.projectId);
    const forged = (await api.get(`/v2/replay-runs/${run.id}/report`)).body as Report;
    forged.metrics.recommended_profile = 'baseline';
    forged.metrics.metric_deltas.provider_cost_micros.candidate = 1;
    const { replay_run_id, project_id, baseline, candidate, replay_class, created_at, provenance, traffic_manifest, metrics } = forged;
    const canonical = canonicalize({ replay_run_id, project_id, baseline, candidate, replay_class, created_at, provenance, traffic_manifest, metrics })!;
    forged.evidence_digest = `sha256_${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;

    // Act
    const verdict = await verify(api, forged);

    // Assess
    expect(verdict.valid).toBe(false);
  });

  it('is stable across two GETs except generated_at', async () => {
    const { tenant, api } = await tenantApi(gateway, 'report-stable');
    const { run } = await completedTokenizedRun(api, tenant.projectId);

    const { generated_at: first, ...one } = (await api.get(`/v2/replay-runs/${run.id}/report`)).body;
    const { generated_at: second, ...two } = (await api.get(`/v2/replay-runs/${run.id}/report`)).body;

    expect(typeof first).toBe('string');
    expect(typeof second).toBe('string');
    expect(two).toEqual(one);
    expect(one.evidence_digest).toMatch(/^sig_/);
  });
});
