import { describe, expect, it } from 'vitest';
import { newUuidV7 } from '../../../functions/shared/ids.ts';

describe('UUID v7 ids', () => {
  it('are RFC 9562 version 7 and strictly increasing, also within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, newUuidV7);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
