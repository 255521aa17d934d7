import { describe, expect, it } from 'vitest';
import { freshReads } from '../../../functions/core/fresh-reads.ts';

/** A stored value whose reads are counted and can be held open. */
function source() {
  let value = 0;
  let reads = 0;
  let hold: Promise<void> | undefined;
  return {
    write: () => value++,
    get reads() {
      return reads;
    },
    holdReads() {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
    read: async () => {
      reads++;
      const seen = value;
      if (hold) await hold;
      return seen;
    },
  };
}

describe('freshReads', () => {
  it('gives callers that ask in the same turn one read', async () => {
    const store = source();
    const shared = freshReads<number>();

    const answers = await Promise.all(Array.from({ length: 5 }, () => shared('run-1', store.read)));

    expect(answers).toEqual([0, 0, 0, 0, 0]);
    expect(store.reads).toBe(1);
  });

  it('never hands a caller a read that started before it asked: those who ask during a read share the next one', async () => {
    const store = source();
    const shared = freshReads<number>();
    const release = store.holdReads();
    const first = shared('run-1', store.read);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.reads).toBe(1);

    // Written after the first read started, then asked for: only a later read may answer.
    store.write();
    const later = [shared('run-1', store.read), shared('run-1', store.read), shared('run-1', store.read)];
    release();

    expect(await first).toBe(0);
    expect(await Promise.all(later)).toEqual([1, 1, 1]);
    expect(store.reads).toBe(2);
  });

  it('keeps keys apart, fails every caller of a failed read, and reads again afterwards', async () => {
    const shared = freshReads<string>();
    let fail = true;
    const read = (key: string) => async () => {
      if (fail) throw new Error(`${key} unreadable`);
      return key;
    };

    const failed = await Promise.allSettled([shared('a', read('a')), shared('a', read('a')), shared('b', async () => 'b')]);
    expect(failed.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a unreadable', 'a unreadable', 'b']);

    fail = false;
    expect(await shared('a', read('a'))).toBe('a');
  });
});
