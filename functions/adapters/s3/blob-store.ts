import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { BlobStore } from '#core/reproducibility/ports.ts';
import { s3 } from '../aws/s3-client.ts';

/** Text objects (session chunks, replay payloads, answers) in one bucket; keys start with the project id. */
export function createS3BlobStore(bucket: string): BlobStore {
  return {
    async put(key, text) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json; charset=utf-8' }));
    },
    async get(key) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body) throw new Error(`Object ${key} is empty`);
      return Body.transformToString('utf8');
    },
    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
