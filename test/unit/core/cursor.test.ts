import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type CursorFormat } from '../../../functions/core/cursor.ts';
import { ValidationFailedError } from '../../../functions/core/errors.ts';
import { newUuidV7 } from '../../../functions/shared/ids.ts';

/** Runs `decodeCursor` and returns what it threw. */
function refusal(cursor: string, format?: CursorFormat): ValidationFailedError {
  try {
    decodeCursor(cursor, format);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return error as ValidationFailedError;
  }
  throw new Error(`cursor ${JSON.stringify(cursor)} was accepted`);
}

const id = '01900000-0000-7abc-8def-0123456789ab';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('history cursors', () => {
  it('round-trip UUID v7 ids', () => {
    for (const each of [id, ...Array.from({ length: 50 }, newUuidV7)]) {
      const cursor = encodeCursor(each);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toBe(each);
    }
  });

  it('are opaque: the id does not show in the cursor text', () => {
    expect(encodeCursor(id)).not.toContain(id);
  });

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['not base64url', '%%%'],
    ['a version without an id', b64('c1:')],
    ['another version', b64(`c2:${id}`)],
    ['no version', b64(id)],
    ['a v4 uuid', b64('c1:0b5e8a0c-4b1e-4d0f-9c1a-6f2b3c4d5e6f')],
    ['an upper-case id', b64(`c1:${id.toUpperCase()}`)],
    ['an id with a byte changed', b64(`c1:${id.slice(0, -1)}g`)],
    ['json', b64(JSON.stringify({ id }))],
  ])('refuse %s as a 422 at query.cursor', (_case, cursor) => {
    const error = refusal(cursor);
    expect(error.status).toBe(422);
    expect(error.code).toBe('validation_error');
    expect(error.param).toBe('cursor');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ loc: ['query', 'cursor'], type: 'value_error', input: cursor });
  });
});

describe('cursors of other formats (one codec for the three domains)', () => {
  const usage: CursorFormat = { version: 'u1', pattern: /^EVT#[^#]+#[a-z0-9]+$/ };

  it('round-trip keys with colons, in their own version', () => {
    const key = 'EVT#2026-11-25T10:00:00.000Z#e1';
    const cursor = encodeCursor(key, usage);

    expect(decodeCursor(cursor, usage)).toBe(key);
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toBe(`u1:${key}`);
  });

  it('refuse a cursor of another format, or a key its pattern does not take', () => {
    expect(refusal(encodeCursor(id), usage).param).toBe('cursor');
    expect(refusal(encodeCursor('EVT#x#e1', usage)).param).toBe('cursor');
    expect(refusal(encodeCursor('EVT#2026#E!', usage), usage).param).toBe('cursor');
  });
});
