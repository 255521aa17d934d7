import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestEvidence, evidenceOf, renderReport, verifyEvidence } from '../../../../functions/core/replay-runs/report.ts';
import { priceCatalogue } from '../../../../functions/core/replay-runs/price-catalogue.ts';
import type { RunRecord } from '../../../../functions/core/replay-runs/replay-run.ts';
import { resolveSide } from '../../../../functions/core/replay-runs/routing.ts';

const side = (name: string) => resolveSide('baseline', name, new Map(), priceCatalogue);
const record = (status: RunRecord['run']['status']): RunRecord => ({
  run: {
    id: 'rpl_01aaaaaaaaaaaaaaaaaaaaaaaa',
    object: 'replay_run',
    project_id: 'p',
    created_at: '2026-11-25T00:00:00Z',
    status,
    baseline: 'managed',
    candidate: 'managed_mini',
    replay_class: 'tokenized_performance',
    traffic_manifest_ref: 'usage:10',
    repetitions: 7,
    concurrency: 3,
    scheduled_for: status === 'queued' ? '2026-12-01T00:00:00Z' : null,
    started_at: null,
    completed_at: null,
    failure_reason: status === 'failed' ? 'boom' : null,
    attempt: 0,
    manifest_size: 10,
    metrics: null,
    max_spend_usd: null,
    progress: null,
  },
  manifestKey: 'm',
  manifestSummary: { ref: 'usage:10', traces: 10 },
  resolved: { baseline: side('managed'), candidate: side('managed_mini') },
  dueAt: '2026-12-01T00:00:00Z',
  deadlineAt: null,
  report: null,
  orgId: 'org',
  fullFidelity: null,
  counts: null,
});

const subject = {
  replay_run_id: 'rpl_01aaaaaaaaaaaaaaaaaaaaaaaa',
  project_id: 'prj_01bbbbbbbbbbbbbbbbbbbbbbbb',
  baseline: 'managed',
  candidate: 'managed_mini',
  replay_class: 'tokenized_performance',
  created_at: '2026-11-25T00:00:00Z',
};

describe('the evidence digest', () => {
  const blocks = { ...subject, provenance: { b: 1, a: [1, 2] }, traffic_manifest: { traces: 1 }, metrics: { x: 0.1 } };

  it('covers exactly the run, its project, both sides, the class, the creation time, provenance, traffic_manifest and metrics in RFC 8785 canonical form', () => {
    expect(evidenceOf({ ...blocks, extra: 'ignored', status: 'completed' } as typeof blocks)).toBe(
      '{"baseline":"managed","candidate":"managed_mini","created_at":"2026-11-25T00:00:00Z","metrics":{"x":0.1},' +
        '"project_id":"prj_01bbbbbbbbbbbbbbbbbbbbbbbb","provenance":{"a":[1,2],"b":1},"replay_class":"tokenized_performance",' +
        '"replay_run_id":"rpl_01aaaaaaaaaaaaaaaaaaaaaaaa","traffic_manifest":{"traces":1}}',
    );
    expect(evidenceOf({ ...subject, metrics: blocks.metrics, traffic_manifest: blocks.traffic_manifest, provenance: { a: [1, 2], b: 1 } })).toBe(evidenceOf(blocks));
  });

  it('is sig_ + HMAC-SHA256 with a key and sha256_ + SHA-256 without', () => {
    const canonical = evidenceOf(blocks);
    const key = Buffer.from('secret');
    expect(digestEvidence(canonical, key)).toBe(`sig_${createHmac('sha256', key).update(canonical).digest('hex')}`);
    expect(digestEvidence(canonical, undefined)).toBe(`sha256_${createHash('sha256').update(canonical).digest('hex')}`);
    expect(digestEvidence(evidenceOf({ ...blocks, metrics: { x: 0.2 } }), key)).not.toBe(digestEvidence(canonical, key));
  });
});

describe('the report before completion', () => {
  it.each([
    ['queued', /Queued until 2026-12-01T00:00:00Z/],
    ['running', /Running/],
    ['failed', /failed: boom/],
    ['canceled', /canceled/],
  ] as const)('says why a %s run has no metrics yet, with no digest', (status, note) => {
    const report = renderReport(record(status), '9.9.9', new Date('2026-11-25T01:02:03.456Z'));
    expect(report).toMatchObject({ replay_run_id: 'rpl_01aaaaaaaaaaaaaaaaaaaaaaaa', project_id: 'p', created_at: '2026-11-25T00:00:00Z' });
    expect(report.metrics).toEqual({ pending: expect.stringMatching(note) });
    expect(report.evidence_digest).toBeNull();
    expect(report.generated_at).toBe('2026-11-25T01:02:03Z');
    expect(report.provenance).toMatchObject({ concurrency: 3, repetitions: 7, replay_runner_version: 'rr_9.9.9', runtime_engine_version: 'reprise/9.9.9' });
    expect(report.recommended_profile).toBe('n/a');
  });
});

describe('verifying a report', () => {
  const blocks = { ...subject, provenance: { a: 1 }, traffic_manifest: { traces: 2 }, metrics: { x: 3 } };
  const key = Buffer.from('secret');
  const signed = { ...blocks, evidence_digest: digestEvidence(evidenceOf(blocks), key) };
  const unkeyed = { ...blocks, evidence_digest: digestEvidence(evidenceOf(blocks), undefined) };

  it('accepts a matching signature and refuses one changed block or another key', () => {
    expect(verifyEvidence(signed, key)).toEqual({ valid: true, digest_type: 'hmac_sha256' });
    expect(verifyEvidence({ ...signed, metrics: { x: 4 } }, key).valid).toBe(false);
    expect(verifyEvidence(signed, Buffer.from('other')).valid).toBe(false);
  });

  it.each([
    ['replay_run_id', 'rpl_01cccccccccccccccccccccccc'],
    ['project_id', 'prj_01dddddddddddddddddddddddd'],
    ['baseline', 'managed_mini'],
    ['candidate', 'managed'],
    ['replay_class', 'routing_simulation'],
    ['created_at', '2026-11-25T00:00:01Z'],
    ['provenance', { a: 2 }],
    ['traffic_manifest', { traces: 3 }],
    ['metrics', { x: 4 }],
  ])('refuses the report once %s is changed (signed and unkeyed)', (field, value) => {
    expect(verifyEvidence({ ...signed, [field]: value }, key).valid).toBe(false);
    expect(verifyEvidence({ ...unkeyed, [field]: value }, undefined).valid).toBe(false);
  });

  it('ignores fields outside the evidence, such as generated_at and status', () => {
    expect(verifyEvidence({ ...signed, generated_at: '2030-01-01T00:00:00Z', status: 'x' } as typeof signed, key).valid).toBe(true);
  });

  it('refuses an unkeyed checksum where reports are signed, and a signature where no key is configured', () => {
    expect(verifyEvidence(unkeyed, undefined)).toEqual({ valid: true, digest_type: 'sha256' });
    expect(verifyEvidence(unkeyed, key)).toMatchObject({ valid: false, digest_type: 'sha256' });
    expect(verifyEvidence(signed, undefined)).toMatchObject({ valid: false, digest_type: 'hmac_sha256' });
  });
});
