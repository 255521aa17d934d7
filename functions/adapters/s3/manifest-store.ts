import type { ManifestStore } from '#core/replay-runs/ports.ts';
import type { TraceEnvelope } from '#core/replay-runs/trace.ts';
import { s3JsonObjects } from './json-objects.ts';

/** Traffic manifests as JSON objects in the artifacts bucket. */
export function createS3ManifestStore(bucket: string): ManifestStore {
  return s3JsonObjects<TraceEnvelope[]>(bucket, 'Manifest');
}
