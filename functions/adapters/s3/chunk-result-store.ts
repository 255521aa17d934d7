import type { ChunkOutcome } from '#core/replay-runs/full-fidelity/execute-chunk.ts';
import type { ChunkResultStore } from '#core/replay-runs/ports.ts';
import { s3JsonObjects } from './json-objects.ts';

/** Per-chunk results of full-fidelity runs as JSON objects in the artifacts bucket (written again by a retry: same key, same content). */
export function createS3ChunkResultStore(bucket: string): ChunkResultStore {
  const { put, get } = s3JsonObjects<ChunkOutcome>(bucket, 'Chunk result');
  return { put, get };
}
