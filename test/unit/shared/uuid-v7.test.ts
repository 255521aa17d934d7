import { describe, expect, it } from 'vitest';
import { newUuidV7 } from '../../../functions/shared/ids.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The 48-bit Unix-millisecond timestamp at the front of a UUID v7 (RFC 9562 §5.7). */
const millisOf = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newUuidV7', () => {
  it('gives RFC 9562 version 7, variant 10xx ids stamped with the current time', () => {
    const before = Date.now();
    const id = newUuidV7();
    const after = Date.now();
    expect(id).toMatch(V7);
    expect(millisOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisOf(id)).toBeLessThanOrEqual(after);
  });

  it('is strictly increasing over 10,000 calls in a tight loop, also within one millisecond', () => {
    // Act
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(newUuidV7());

    // Assess
    let sameMillisecondPairs = 0;
    for (let i = 1; i < ids.length; i++) {
      const [previous, current] = [ids[i - 1]!, ids[i]!];
      if (!(previous < current)) expect.fail(`ids[${i - 1}] ${previous} is not below ids[${i}] ${current}`);
      if (millisOf(previous) === millisOf(current)) sameMillisecondPairs++;
    }
    for (const id of ids) expect(id).toMatch(V7);
    // The loop must actually have produced ids within one millisecond, or the
    // same-millisecond order would not have been tested.
    expect(sameMillisecondPairs).toBeGreaterThan(0);
  });
});
