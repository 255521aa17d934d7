import { digestEvidence, evidenceOf, provenanceOf, subjectOf } from './report.ts';
import type { PinnedReport, RunRecord } from './replay-run.ts';

/** Fixes the report of a completed run: provenance, manifest summary, metrics, and their digest bound to the run. */
export async function pinReport(record: RunRecord, metrics: Record<string, unknown>, version: string, key: Buffer | undefined): Promise<PinnedReport> {
  const failures = Number(metrics.failures ?? 0);
  const dropped = Number(metrics.dropped ?? 0);
  const provenance = provenanceOf(record, version, failures, dropped);
  const trafficManifest = record.manifestSummary ?? { ref: null, traces: 0 };
  return {
    provenance,
    traffic_manifest: trafficManifest,
    metrics,
    evidence_digest: digestEvidence(evidenceOf({ ...subjectOf(record.run), provenance, traffic_manifest: trafficManifest, metrics }), key),
    recommended_profile: typeof metrics.recommended_profile === 'string' ? metrics.recommended_profile : 'n/a',
  };
}
