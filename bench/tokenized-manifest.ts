import { uniformAt } from '../functions/core/replay-runs/seeded-random.ts';
import type { TraceEnvelope } from '../functions/core/replay-runs/trace.ts';

/** The tokenized_performance and synthetic_performance bench workload: 5,000 traces of varied shape, 1,000 repetitions, a 3-way alias. */
export const TRACES = 5_000;
export const REPETITIONS = 1_000;
export const SEED = 7;

export function benchManifest(): TraceEnvelope[] {
  return Array.from({ length: TRACES }, (_, i) => {
    const input = 200 + Math.floor(uniformAt(11, i) * 8_000);
    return {
      input_tokens: input,
      output_tokens: 20 + Math.floor(uniformAt(12, i) * 1_000),
      realized_reused_tokens: Math.floor(uniformAt(13, i) * input * 0.6),
      candidate_reuse_tokens: Math.floor(uniformAt(14, i) * input * 0.8),
      ttft_ms: 150 + Math.floor(uniformAt(15, i) * 900),
    };
  });
}

export const benchAliases = new Map([
  ['support-bot', { name: 'support-bot', version: 3, releases: [{ target: 'openai/gpt-4o', weight: 70 }, { target: 'openai/gpt-4.1', weight: 20 }, { target: 'openai/gpt-4o-mini', weight: 10 }] }],
]);

