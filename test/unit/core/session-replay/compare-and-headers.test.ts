import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareBodies } from '../../../../functions/core/session-replay/compare.ts';
import { IGNORE_PATH_PATTERN } from '../../../../functions/core/session-replay/ignore-path.ts';
import { redact, replayHeaders, withoutHopByHop } from '../../../../functions/core/session-replay/headers.ts';
import { upstreamUrl } from '../../../../functions/core/session-replay/proxy.ts';

const json = (value: unknown) => ({ bytes: Buffer.from(JSON.stringify(value)), encoding: null });

describe('body comparison', () => {
  it('finds JSON differences by path, and none when only ignored paths differ', () => {
    const expected = json({ id: 1, at: 'x', items: [{ ts: 1, v: 'a' }, { ts: 2, v: 'b' }] });
    const actual = json({ id: 2, at: 'y', items: [{ ts: 9, v: 'a' }, { ts: 8, v: 'c' }], extra: true });
    expect(compareBodies(expected, actual, ['$.at', '$.items[*].ts'])).toEqual([
      { path: '$.id', expected: 1, actual: 2 },
      { path: '$.items[1].v', expected: 'b', actual: 'c' },
      { path: '$.extra', actual: true },
    ]);
    expect(compareBodies(expected, actual, ['$.at', '$.items[*].ts', '$.id', '$.items[1].v', '$.extra'])).toEqual([]);
  });

  it('removes array elements from the last, so indexes above 9 are not shifted', () => {
    const list = Array.from({ length: 12 }, (_, i) => i);
    expect(compareBodies(json({ list }), json({ list: [...list.slice(0, 2), 99, ...list.slice(3, 10)] }), ['$.list[2]', '$.list[10]', '$.list[11]'])).toEqual([]);
  });

  it('compares compressed bodies decompressed, and non-JSON bodies byte for byte', () => {
    const zipped = { bytes: gzipSync('{"a":1}'), encoding: 'gzip' };
    expect(compareBodies(zipped, json({ a: 1 }), [])).toEqual([]);
    expect(compareBodies({ bytes: Buffer.from('hello'), encoding: null }, { bytes: Buffer.from('hello'), encoding: null }, [])).toEqual([]);
    expect(compareBodies({ bytes: Buffer.from('hello'), encoding: null }, { bytes: Buffer.from('world'), encoding: null }, [])).toEqual([{ path: '$', expected: 'hello', actual: 'world' }]);
  });

  it('accepts plain JSON paths and no filter scripts', () => {
    for (const path of ['$', '$.a', '$.a.b', '$..id', "$['x-y']", '$.items[*].ts', '$.a[0]']) expect(IGNORE_PATH_PATTERN.test(path), path).toBe(true);
    for (const path of ['$[?(@.a)]', 'a.b', '$.a[(1+1)]', '$.constructor()']) expect(IGNORE_PATH_PATTERN.test(path), path).toBe(false);
  });
});

describe('headers', () => {
  it('drops hop-by-hop headers, those the connection header names included', () => {
    expect(withoutHopByHop({ Connection: 'keep-alive, X-Hop', 'x-hop': '1', 'Keep-Alive': 't', host: 'h', 'content-length': '3', 'transfer-encoding': 'chunked', 'x-end': '2' })).toEqual({ 'x-end': '2' });
  });

  it('redacts the built-in secrets and the endpoint list, case-insensitively', () => {
    expect(redact({ Authorization: 'a', 'x-api-key': 'b', 'X-Secret': 'c', accept: 'd' }, ['x-SECRET'])).toEqual({
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', 'x-secret': '[redacted]', accept: 'd' },
      redacted: ['authorization', 'x-api-key', 'x-secret'],
    });
  });

  it('replays recorded headers without redacted ones, with overrides added or replacing case-insensitively, and never the recorded host', () => {
    const recorded = { authorization: '[redacted]', cookie: '[redacted]', 'x-tenant': 'a', accept: 'json', host: 'old', connection: 'close' };
    expect(replayHeaders(recorded, ['authorization', 'cookie'], { Authorization: 'Bearer new', 'X-Tenant': 'b', Host: 'evil' })).toEqual({
      authorization: 'Bearer new',
      'x-tenant': 'b',
      accept: 'json',
    });
  });

  it('joins a base URL, a recorded path and its query', () => {
    expect(upstreamUrl('https://api.example.com', '/v1/a', 'x=1')).toBe('https://api.example.com/v1/a?x=1');
    expect(upstreamUrl('https://api.example.com/base/', '/v1/a', '')).toBe('https://api.example.com/base/v1/a');
    expect(upstreamUrl('https://api.example.com/base?k=1', '/a', 'x=1')).toBe('https://api.example.com/base/a?k=1&x=1');
    expect(upstreamUrl('http://127.0.0.1:8080', '/a%20b', '')).toBe('http://127.0.0.1:8080/a%20b');
  });
});
