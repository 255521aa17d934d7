import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ObjectLister } from '#core/detached-replay/ports.ts';
import { detachedLimits } from '#core/detached-replay/limits.ts';
import { s3 } from '../aws/s3-client.ts';

/** One ListObjectsV2 page (1,000 keys) at a time: memory stays flat whatever the prefix holds. */
export const s3ObjectLister: ObjectLister = {
  async list(bucket, prefix, continuationToken) {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: detachedLimits.pageSize, ContinuationToken: continuationToken }),
    );
    return {
      keys: (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])),
      next: page.IsTruncated ? page.NextContinuationToken : undefined,
    };
  },
};
