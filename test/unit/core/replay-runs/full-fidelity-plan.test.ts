import { describe, expect, it } from 'vitest';
import { tokenF1 } from '../../../../functions/core/replay-runs/full-fidelity/divergence.ts';
import { chunkRange, nextInLane, pairAt, planChunks } from '../../../../functions/core/replay-runs/full-fidelity/plan.ts';

describe('chunk plans', () => {
  it('split concurrency into lanes of at most 64 in flight, adding up to it', () => {
    expect(planChunks(5_000, 1, 100)).toEqual({ pairs: 5_000, chunkPairs: 200, chunks: 25, lanes: 2, inFlight: [50, 50] });
    expect(planChunks(2_000, 1, 50)).toEqual({ pairs: 2_000, chunkPairs: 200, chunks: 10, lanes: 1, inFlight: [50] });
    const wide = planChunks(5_000, 20, 1_000);
    expect(wide.lanes).toBe(16);
    expect(wide.inFlight.reduce((a, b) => a + b, 0)).toBe(1_000);
    expect(Math.max(...wide.inFlight)).toBeLessThanOrEqual(64);
    expect(planChunks(3, 1, 1)).toEqual({ pairs: 3, chunkPairs: 4, chunks: 1, lanes: 1, inFlight: [1] });
  });

  it('never runs more lanes than chunks', () => {
    expect(planChunks(10, 1, 1_000)).toMatchObject({ chunks: 1, lanes: 1, inFlight: [64] });
  });

  it('numbers pairs repetition-major and chains each lane through its chunks', () => {
    const plan = planChunks(5_000, 2, 100);
    expect(pairAt(4_999, 5_000)).toEqual({ trace: 4_999, repetition: 0 });
    expect(pairAt(5_000, 5_000)).toEqual({ trace: 0, repetition: 1 });
    expect(chunkRange(plan, plan.chunks - 1).end).toBe(10_000);
    const lane0: number[] = [];
    for (let c: number | undefined = 0; c !== undefined; c = nextInLane(plan, c)) lane0.push(c);
    expect(lane0).toEqual(Array.from({ length: plan.chunks / 2 }, (_, i) => 2 * i));
  });
});

describe('output similarity', () => {
  it('is the token F1 of SQuAD: case, punctuation and articles ignored, word order not counted', () => {
    expect(tokenF1('The cat sat.', 'cat SAT')).toBe(1);
    expect(tokenF1('w x y z', 'y z u v')).toBeCloseTo(0.5, 9);
    expect(tokenF1('a b c d', 'c d e f')).toBeCloseTo(4 / 7, 9); // 'a' is an article: 3 words against 4, 2 shared
    expect(tokenF1('yes', 'no')).toBe(0);
    expect(tokenF1('', '')).toBe(1);
    expect(tokenF1('', 'something')).toBe(0);
  });
});
