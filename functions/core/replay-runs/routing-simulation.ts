import { pick, type ResolvedSide } from './routing.ts';
import { seedFrom, uniformAt } from './seeded-random.ts';

/** The fixed sweep routing simulations run over: the same seeds for every run, so results compare across runs. */
export const ROUTING_SWEEP = { seeds: 1_000, seed: seedFrom('reprise/routing-simulation/v1') } as const;

/**
 * Routes the fixed seed sweep through baseline and candidate (no inference)
 * and reports where each sends traffic and how often they disagree.
 */
export function simulateRouting(baseline: ResolvedSide, candidate: ResolvedSide) {
  const baselineCounts = new Map<string, number>();
  const candidateCounts = new Map<string, number>();
  let diverged = 0;
  for (let i = 0; i < ROUTING_SWEEP.seeds; i++) {
    const u = uniformAt(ROUTING_SWEEP.seed, i);
    const b = baseline.choices[pick(baseline, u)]!.label;
    const c = candidate.choices[pick(candidate, u)]!.label;
    baselineCounts.set(b, (baselineCounts.get(b) ?? 0) + 1);
    candidateCounts.set(c, (candidateCounts.get(c) ?? 0) + 1);
    if (b !== c) diverged++;
  }
  const shares = (counts: Map<string, number>) =>
    Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)).map(([target, n]) => [target, round(n / ROUTING_SWEEP.seeds, 4)]));
  return {
    seed_sweep: { seeds: ROUTING_SWEEP.seeds, seed: ROUTING_SWEEP.seed },
    target_distribution: { baseline: shares(baselineCounts), candidate: shares(candidateCounts) },
    divergence_rate: round(diverged / ROUTING_SWEEP.seeds, 4),
    failures: 0,
    dropped: 0,
  };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
