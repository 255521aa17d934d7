import { describe, expect, it } from 'vitest';
import { listedKeys } from '../../../functions/adapters/s3/listed-keys.ts';

const answer = (contents: string, truncated: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix><StartAfter>p/a&amp;b</StartAfter><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}</ListBucketResult>`;
const object = (key: string) =>
  `<Contents><Key>${key}</Key><LastModified>2026-11-30T05:00:00.000Z</LastModified><ETag>&quot;99914b932bd37a50b983c5e7c90ae93b&quot;</ETag><Size>2</Size><StorageClass>STANDARD</StorageClass></Contents>`;

describe('listedKeys', () => {
  it('reads every key in order and whether the listing goes on', () => {
    expect(listedKeys(answer(object('p/one.json') + object('p/two.json'), 'true'))).toEqual({ keys: ['p/one.json', 'p/two.json'], truncated: true });
    expect(listedKeys(answer(object('p/last.json'), 'false'))).toEqual({ keys: ['p/last.json'], truncated: false });
    expect(listedKeys(answer('', 'false'))).toEqual({ keys: [], truncated: false });
  });

  it('unescapes entities and character references, and leaves anything else as written', () => {
    const keys = listedKeys(answer(object('p/a&amp;b&lt;c&gt;d&quot;e&apos;f') + object('p/line&#13;&#10;tab&#x9;é日本😀') + object('p/&unknown; &amp;amp;'), 'false')).keys;
    expect(keys).toEqual(['p/a&b<c>d"e\'f', 'p/line\r\ntab\té日本😀', 'p/&unknown; &amp;']);
  });
});
