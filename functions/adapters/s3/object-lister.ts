import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ObjectLister } from '#core/detached-replay/ports.ts';
import { detachedLimits } from '#core/detached-replay/limits.ts';
import { s3 } from '../aws/s3-client.ts';

/**
 * One ListObjectsV2 page (1,000 keys) at a time: memory stays flat whatever
 * the prefix holds. Pages start after a key (`StartAfter`) rather than at an
 * opaque continuation token, so a page listed twice ends where it did before
 * and hands on the same start to the next page.
 */
export const s3ObjectLister: ObjectLister = {
  async list(bucket, prefix, after) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: detachedLimits.pageSize, StartAfter: after }));
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    return { keys, next: page.IsTruncated ? keys.at(-1) : undefined };
  },
};
