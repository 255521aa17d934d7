import type { ModelPrices } from '../price-catalogue.ts';
import type { ResolvedSide } from '../routing.ts';
import type { TraceEnvelope } from '../trace.ts';
import type { ChatUsage } from './broker.ts';

/**
 * What one request may cost at list prices before it is sent: its recorded
 * input tokens, all uncached, and the full output allowance (`max_tokens`).
 */
export function requestEstimateMicros(prices: ModelPrices, inputTokens: number, maxOutputTokens: number): number {
  return (inputTokens * prices.input + maxOutputTokens * prices.output) / 1_000_000;
}

/** What a request cost, from the usage the provider returned, at list prices (cached input at its price). */
export function usageCostMicros(prices: ModelPrices, usage: ChatUsage): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  return ((usage.inputTokens - cached) * prices.input + cached * prices.cachedInput + usage.outputTokens * prices.output) / 1_000_000;
}

/** A side's expected price of a request: its targets' estimates weighted by their share of traffic. */
function expectedEstimate(side: ResolvedSide, inputTokens: number, maxOutputTokens: number): number {
  let previous = 0;
  let total = 0;
  for (const choice of side.choices) {
    total += (choice.cumulative - previous) * requestEstimateMicros(choice.prices!, inputTokens, maxOutputTokens);
    previous = choice.cumulative;
  }
  return total;
}

/**
 * The budget estimate of a run before it starts: every trace × repetition on
 * both sides, input tokens as recorded and the output allowance, at list prices.
 */
export function estimateSpendMicros(traces: readonly TraceEnvelope[], repetitions: number, sides: { baseline: ResolvedSide; candidate: ResolvedSide }, maxOutputTokens: number) {
  let baseline = 0;
  let candidate = 0;
  for (const trace of traces) {
    baseline += expectedEstimate(sides.baseline, trace.input_tokens, maxOutputTokens);
    candidate += expectedEstimate(sides.candidate, trace.input_tokens, maxOutputTokens);
  }
  return { baseline: baseline * repetitions, candidate: candidate * repetitions, total: (baseline + candidate) * repetitions };
}

export const microsToUsd = (micros: number) => Math.round(micros) / 1_000_000;
export const usdToMicros = (usd: number) => Math.round(usd * 1_000_000);
