import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3ObjectLister } from '../../../functions/adapters/s3/object-lister.ts';
import { buckets } from '../../../lib/catalogue.ts';

// The local S3 runs fauxqs with patches/fauxqs+2.4.1.patch: these tests hold it to S3's listing contract.
const s3 = new S3Client({ forcePathStyle: true });
const bucket = () => process.env[buckets.outputs.envName]!;
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

const put = (keys: readonly string[]) =>
  Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket(), Key, Body: 'x' }))));

async function listAll(prefix: string, pageSize: number): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3, pageSize }, { Bucket: bucket(), Prefix: prefix })) {
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
  }
  return keys;
}

describe('local S3 listing', () => {
  const names = ['a', 'B', 'c', '_x', '-y', 'Zz', 'é', '日本', '\u{1F600}', '\uFFFD', 'a/b', 'a.b', 'A'];

  it('pages through every key once, in UTF-8 byte order, whatever their case and punctuation', async () => {
    const prefix = `listing-${randomUUID()}/`;
    const keys = names.map((name) => prefix + name);
    await put([...keys, `${prefix.slice(0, -1)}-sibling`]);

    const listed = await listAll(prefix, 2);

    expect(listed).toEqual([...keys].sort(byteOrder));
  });

  it('pages through every key once by StartAfter (how detached replay pages), in UTF-8 byte order', async () => {
    const prefix = `listing-${randomUUID()}/`;
    const keys = names.map((name) => prefix + name);
    await put([...keys, `${prefix.slice(0, -1)}-sibling`]);

    const listed: string[] = [];
    for (let after: string | undefined, truncated = true; truncated; ) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, MaxKeys: 3, StartAfter: after }));
      listed.push(...(page.Contents ?? []).map((object) => object.Key!));
      truncated = Boolean(page.IsTruncated);
      after = listed.at(-1);
    }

    expect(listed).toEqual([...keys].sort(byteOrder));
  });

  it("reads back every key as written through the detached replay lister, XML's special characters included", async () => {
    const prefix = `listing-${randomUUID()}/`;
    const keys = [...names, 'a&b', '<tag>', 'say "hi"', "it's", 'tab\there', '100% & more', 'a&amp;b'].map((name) => prefix + name);
    await put(keys);

    const listed = await s3ObjectLister.list(bucket(), prefix, undefined);
    const after = await s3ObjectLister.list(bucket(), prefix, [...keys].sort(byteOrder)[9]);

    expect(listed).toEqual({ keys: [...keys].sort(byteOrder), next: undefined });
    expect(after.keys).toEqual([...keys].sort(byteOrder).slice(10));
    await expect(s3ObjectLister.list(`no-such-bucket-${randomUUID().slice(0, 8)}`, prefix, undefined)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('lists a key written after an earlier listing of the same prefix', async () => {
    const prefix = `listing-${randomUUID()}/`;
    await put([`${prefix}m`, `${prefix}o`]);
    expect(await listAll(prefix, 1)).toEqual([`${prefix}m`, `${prefix}o`]);

    await put([`${prefix}N`, `${prefix}n`]);

    expect(await listAll(prefix, 1)).toEqual([`${prefix}N`, `${prefix}m`, `${prefix}n`, `${prefix}o`]);
  });

  it('starts after StartAfter and groups by delimiter in byte order', async () => {
    const prefix = `listing-${randomUUID()}/`;
    await put(['b/1', 'B/1', 'a', 'C'].map((name) => prefix + name));

    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, StartAfter: `${prefix}B/1` }));
    const grouped = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, Delimiter: '/' }));

    expect(after.Contents?.map((object) => object.Key)).toEqual(['C', 'a', 'b/1'].map((name) => prefix + name));
    expect(grouped.CommonPrefixes?.map((common) => common.Prefix)).toEqual([`${prefix}B/`, `${prefix}b/`]);
    expect(grouped.Contents?.map((object) => object.Key)).toEqual([`${prefix}C`, `${prefix}a`]);
  });
});
