import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ChunkOutcome } from '#core/replay-runs/full-fidelity/execute-chunk.ts';
import type { ChunkResultStore } from '#core/replay-runs/ports.ts';
import { s3 } from '../aws/s3-client.ts';

/** Per-chunk results of full-fidelity runs as JSON objects in the artifacts bucket (written again by a retry: same key, same content). */
export function createS3ChunkResultStore(bucket: string): ChunkResultStore {
  return {
    async put(key, outcome) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(outcome), ContentType: 'application/json' }));
    },
    async get(key) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body) throw new Error(`Chunk result ${key} is empty`);
      return JSON.parse(await Body.transformToString('utf8')) as ChunkOutcome;
    },
  };
}
