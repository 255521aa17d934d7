import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import type { PlannedWindow, ReplayResult } from '#core/session-replay/model.ts';
import type { ObjectStore } from '#core/session-replay/ports.ts';
import { s3 } from '../aws/s3-client.ts';

/** Recorded bodies, replay plans and replay results in the recordings bucket (keys start from the project). */
export function createS3RecordingObjects(bucket: string): ObjectStore {
  const put = (key: string, body: Buffer | string, contentType: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  const read = async (key: string): Promise<Buffer | undefined> => {
    try {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Body ? Buffer.from(await Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };
  const remove = async (keys: string[]) => {
    for (let i = 0; i < keys.length; i += 1_000) {
      const chunk = keys.slice(i, i + 1_000);
      if (chunk.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
    }
  };

  return {
    async putBody(key, bytes) {
      await put(key, bytes, 'application/octet-stream');
    },
    async getBody(key) {
      const bytes = await read(key);
      if (bytes === undefined) throw new Error(`Recorded body ${key} is missing`);
      return bytes;
    },
    async putPlan(key, window) {
      await put(key, JSON.stringify(window), 'application/json');
    },
    async getPlan(key) {
      const bytes = await read(key);
      if (bytes === undefined) throw new Error(`Replay plan ${key} is missing`);
      return JSON.parse(bytes.toString('utf8')) as PlannedWindow;
    },
    async putResults(key, results) {
      await put(key, JSON.stringify(results), 'application/json');
    },
    async getResults(key) {
      const bytes = await read(key);
      return bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as ReplayResult[]);
    },
    deleteKeys: remove,
    async deletePrefix(prefix) {
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        await remove((page.Contents ?? []).map((object) => object.Key!).filter(Boolean));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
