import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ManifestStore } from '#core/replay-runs/ports.ts';
import type { TraceEnvelope } from '#core/replay-runs/trace.ts';
import { s3 } from '../aws/s3-client.ts';

/** Traffic manifests as JSON objects in the artifacts bucket. */
export function createS3ManifestStore(bucket: string): ManifestStore {
  return {
    async put(key, traces) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(traces), ContentType: 'application/json' }));
    },
    async get(key) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body) throw new Error(`Manifest ${key} is empty`);
      return JSON.parse(await Body.transformToString('utf8')) as TraceEnvelope[];
    },
    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
