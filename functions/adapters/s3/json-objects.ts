import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../aws/s3-client.ts';

/** Values of one type as JSON objects in `bucket`; `what` names them in errors (`Manifest <key> is empty`). */
export function s3JsonObjects<T>(bucket: string, what: string) {
  return {
    async put(key: string, value: T): Promise<void> {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json' }));
    },
    async get(key: string): Promise<T> {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body) throw new Error(`${what} ${key} is empty`);
      return JSON.parse(await Body.transformToString('utf8')) as T;
    },
    async delete(key: string): Promise<void> {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
