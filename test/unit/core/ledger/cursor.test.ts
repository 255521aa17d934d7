import { describe, expect, it } from 'vitest';
import { ValidationFailedError } from '../../../../functions/core/errors.ts';
import { decodeCursor, encodeCursor } from '../../../../functions/core/ledger/cursor.ts';
import { newUuidV7 } from '../../../../functions/shared/ids.ts';

/** Runs `decodeCursor` and returns what it threw. */
function refusal(cursor: string): ValidationFailedError {
  try {
    decodeCursor(cursor);
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
