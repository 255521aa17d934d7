import { pick, type ResolvedSide, type RouteChoice } from '../routing.ts';
import { uniformAt } from '../seeded-random.ts';
import type { TraceEnvelope } from '../trace.ts';
import type { ChatBroker, ChatResult } from './broker.ts';
import { requestEstimateMicros, usageCostMicros } from './budget.ts';
import { tokenF1 } from './divergence.ts';
import { fullFidelityLimits as L, type FullFidelityOptions } from './options.ts';
import { pairAt } from './plan.ts';

export type Side = 'baseline' | 'candidate';

/** Reservations are scaled by at most this: a provider counting far more tokens than recorded still cannot spend unseen. */
const MAX_COST_RATIO = 1_000;

/** One side's request of a pair, as measured. */
export interface SideOutcome {
  target: string;
  ok: boolean;
  attempts: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  /** From the returned usage; the request's estimate when no usage came back (or it timed out); 0 when refused. */
  cost_micros: number;
  usage_reported: boolean;
  output_tokens_per_s: number | null;
  served_model: string | null;
  /** Why it failed (`http_500`, `timeout`, …), null when it succeeded. */
  reason: string | null;
  message: string | null;
}

export interface PairOutcome {
  trace: number;
  repetition: number;
  status: 'ok' | 'failed' | 'dropped';
  /** Why the pair failed or was dropped: `budget`, `invocation_time`, `worker_stopped`, or a side's reason. */
  reason: string | null;
  baseline: SideOutcome | null;
  candidate: SideOutcome | null;
  exact_match: boolean | null;
  similarity: number | null;
}

/** A chunk's results: kept in object storage, gathered when the run completes. */
export interface ChunkOutcome {
  chunk: number;
  pairs: PairOutcome[];
  ok: number;
  failures: number;
  dropped: number;
  spentMicros: number;
  /** Budget this chunk held (granted), returned when it is done. */
  blockMicros: number;
  budgetStopped: boolean;
  requests: { sent: number; failed: number; retried: number; without_usage: number };
  maxInFlight: number;
  /** Estimates and actual costs of the requests that reported usage: how far reality departs from estimates. */
  estimatedDoneMicros: number;
  actualDoneMicros: number;
  /** Why a chunk ended as it did, when its pairs do not say (a stopped worker). */
  note?: string | undefined;
}

/** The budget a chunk holds: what it was granted, and a way to ask for more. */
export interface ChunkBudget {
  granted: number;
  /** Asks the run for `wantMicros` more; resolves to what was granted (0 when the budget is spent). */
  topUp(wantMicros: number): Promise<number>;
}

export interface ChunkWork {
  runId: string;
  chunk: number;
  traces: readonly TraceEnvelope[];
  repetitions: number;
  sides: { baseline: ResolvedSide; candidate: ResolvedSide };
  /** Routes each pair (alias sides), the same draw for both sides, as tokenized_performance does. */
  seed: number;
  options: FullFidelityOptions;
  range: { start: number; end: number };
  inFlight: number;
  /** Actual over estimated cost of the run's requests so far (1 when none answered yet): requests are reserved at estimate × this. */
  costRatio: number;
  broker: ChatBroker;
  budget: ChunkBudget;
  clock: { remainingMs(): number; now(): number; sleep(ms: number): Promise<void>; random(): number };
}

/** The model id a provider is asked for: `model`, or `model-revision` for a pinned revision (the snapshot naming of OpenAI-compatible APIs). */
export function modelIdOf(choice: RouteChoice): string {
  return choice.target.revision ? `${choice.target.model}-${choice.target.revision}` : choice.target.model;
}

interface PairState {
  trace: number;
  repetition: number;
  choices: Record<Side, RouteChoice>;
  estimates: Record<Side, number>;
  admission?: Promise<boolean>;
  /** What admission reserved for each side (estimate × the chunk's observed cost ratio). */
  reserved: Record<Side, number>;
  outcomes: Partial<Record<Side, SideOutcome | 'not_sent'>>;
  /** The answers, compared once both are in (never stored). */
  contents: Partial<Record<Side, string>>;
}

/**
 * Re-executes pairs [start, end) of a run through the broker, both sides,
 * with `inFlight` requests in flight, and measures each request.
 *
 * The budget is checked before every pair is sent: the pair's two requests
 * are reserved at their estimate (scaled up by how much actual costs have
 * exceeded estimates so far) against the chunk's grant, and
 * released to their actual cost when they answer, so requests in flight are
 * always accounted. When the grant cannot cover a pair and the run has no
 * budget left to top it up, this and every later pair is dropped (`budget`).
 * A request is not sent when the invocation has less time left than one
 * attempt needs; retries follow the run's retry policy with full-jitter
 * backoff (and the provider's Retry-After, capped).
 */
export async function executeChunk(work: ChunkWork): Promise<ChunkOutcome> {
  const { traces, repetitions, sides, options, clock } = work;
  const states: PairState[] = [];
  for (let pair = work.range.start; pair < work.range.end; pair++) {
    const { trace, repetition } = pairAt(pair, traces.length);
    const u = uniformAt(work.seed, trace * repetitions + repetition);
    const choices = { baseline: sides.baseline.choices[pick(sides.baseline, u)]!, candidate: sides.candidate.choices[pick(sides.candidate, u)]! };
    const input = traces[trace]!.input_tokens;
    states.push({
      trace,
      repetition,
      choices,
      estimates: {
        baseline: requestEstimateMicros(choices.baseline.prices!, input, options.maxOutputTokens),
        candidate: requestEstimateMicros(choices.candidate.prices!, input, options.maxOutputTokens),
      },
      reserved: { baseline: 0, candidate: 0 },
      outcomes: {},
      contents: {},
    });
  }

  let granted = work.budget.granted;
  let committed = 0;
  let spent = 0;
  let estimatedDone = 0;
  let actualDone = 0;
  let stopped = false;
  let budgetLock: Promise<unknown> = Promise.resolve();
  const requests = { sent: 0, failed: 0, retried: 0, without_usage: 0 };
  let inFlightNow = 0;
  let maxInFlight = 0;
  // Requests are reserved at their estimate scaled by how far actual costs have exceeded estimates (this chunk's, else the run's).
  const ratio = () => Math.min(MAX_COST_RATIO, Math.max(1, estimatedDone > 0 ? actualDone / estimatedDone : work.costRatio));

  const admit = (index: number): Promise<boolean> => {
    const run = async () => {
      if (stopped) return false;
      const state = states[index]!;
      const scale = ratio();
      const need = (state.estimates.baseline + state.estimates.candidate) * scale;
      if (committed + need > granted) {
        let rest = 0;
        for (let i = index + 1; i < states.length; i++) rest += states[i]!.estimates.baseline + states[i]!.estimates.candidate;
        granted += await work.budget.topUp(committed + need + rest * scale - granted);
        if (committed + need > granted) {
          stopped = true;
          return false;
        }
      }
      committed += need;
      state.reserved = { baseline: state.estimates.baseline * scale, candidate: state.estimates.candidate * scale };
      return true;
    };
    // One admission at a time: each sees the others' reservations.
    const next = budgetLock.then(run);
    budgetLock = next.catch(() => undefined);
    return next;
  };

  const send = async (state: PairState, side: Side): Promise<SideOutcome | 'not_sent'> => {
    const choice = state.choices[side];
    const policy = options.retryPolicy;
    let last: Extract<ChatResult, { ok: false }> | undefined;
    let attempts = 0;
    while (attempts < policy.max_attempts) {
      if (clock.remainingMs() < policy.timeout_ms + L.timeMarginMs) break;
      attempts++;
      if (attempts > 1) requests.retried++;
      requests.sent++;
      inFlightNow++;
      maxInFlight = Math.max(maxInFlight, inFlightNow);
      let result: ChatResult;
      try {
        result = await work.broker.complete({
          provider: choice.target.provider,
          model: modelIdOf(choice),
          messages: work.traces[state.trace]!.messages ?? [],
          maxOutputTokens: options.maxOutputTokens,
          timeoutMs: policy.timeout_ms,
          requestId: `${work.runId}:${state.trace}:${state.repetition}:${side}:${attempts}`,
        });
      } catch (error) {
        // The broker answers failures as results; a throw is a fault of its own, not worth retrying.
        result = { ok: false, reason: 'broker_error', retryable: false, message: (error as Error).message, latencyMs: 0 };
      } finally {
        inFlightNow--;
      }
      if (result.ok) {
        state.contents[side] = result.content;
        return succeeded(choice, state.estimates[side], result, attempts);
      }
      last = result;
      if (!result.retryable || attempts >= policy.max_attempts) break;
      const backoff = clock.random() * Math.min(L.backoffCapMs, L.backoffBaseMs * 2 ** (attempts - 1));
      await clock.sleep(Math.max(backoff, Math.min(result.retryAfterMs ?? 0, L.maxRetryAfterMs)));
    }
    if (!last) return 'not_sent';
    // Every attempt failed, or time ran out before the next one: the last failure stands.
    return failed(choice, last.reason, last.message, attempts, timeoutCost(last, state.estimates[side]));
  };

  const settle = (state: PairState, side: Side, outcome: SideOutcome | 'not_sent') => {
    state.outcomes[side] = outcome;
    committed -= state.reserved[side];
    if (outcome === 'not_sent') return;
    committed += outcome.cost_micros;
    spent += outcome.cost_micros;
    if (!outcome.ok) requests.failed++;
    else if (!outcome.usage_reported) requests.without_usage++;
    else {
      estimatedDone += state.estimates[side];
      actualDone += outcome.cost_micros;
    }
  };

  // The request queue: baseline then candidate of each pair, in pair order.
  let cursor = 0;
  const total = states.length * 2;
  const worker = async () => {
    while (cursor < total) {
      const slot = cursor++;
      const index = slot >> 1;
      const side: Side = slot & 1 ? 'candidate' : 'baseline';
      const state = states[index]!;
      state.admission ??= admit(index);
      if (!(await state.admission)) continue;
      settle(state, side, await send(state, side));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(work.inFlight, total)) }, worker));

  const pairs = states.map((state) => pairOutcome(state));
  return {
    chunk: work.chunk,
    pairs,
    ok: pairs.filter((p) => p.status === 'ok').length,
    failures: pairs.filter((p) => p.status === 'failed').length,
    dropped: pairs.filter((p) => p.status === 'dropped').length,
    spentMicros: spent,
    blockMicros: granted,
    budgetStopped: stopped,
    requests,
    maxInFlight,
    estimatedDoneMicros: estimatedDone,
    actualDoneMicros: actualDone,
  };
}

function pairOutcome(state: PairState): PairOutcome {
  const base = { trace: state.trace, repetition: state.repetition };
  const b = state.outcomes.baseline;
  const c = state.outcomes.candidate;
  const sideOrNull = (o: SideOutcome | 'not_sent' | undefined) => (o && o !== 'not_sent' ? o : null);
  if (b === undefined && c === undefined) {
    return { ...base, status: 'dropped', reason: 'budget', baseline: null, candidate: null, exact_match: null, similarity: null };
  }
  if ((b === undefined || b === 'not_sent') && (c === undefined || c === 'not_sent')) {
    return { ...base, status: 'dropped', reason: 'invocation_time', baseline: null, candidate: null, exact_match: null, similarity: null };
  }
  const baseline = sideOrNull(b);
  const candidate = sideOrNull(c);
  if (baseline?.ok && candidate?.ok) {
    const contentB = state.contents.baseline ?? '';
    const contentC = state.contents.candidate ?? '';
    return { ...base, status: 'ok', reason: null, baseline, candidate, exact_match: contentB === contentC, similarity: Math.round(tokenF1(contentB, contentC) * 10_000) / 10_000 };
  }
  const reason = !baseline ? 'baseline: invocation_time' : !baseline.ok ? `baseline: ${baseline.reason}` : !candidate ? 'candidate: invocation_time' : `candidate: ${candidate.reason}`;
  return { ...base, status: 'failed', reason, baseline, candidate, exact_match: null, similarity: null };
}

function succeeded(choice: RouteChoice, estimate: number, result: Extract<ChatResult, { ok: true }>, attempts: number): SideOutcome {
  const usage = result.usage;
  const out = usage?.outputTokens ?? null;
  let rate: number | null = null;
  if (out !== null && out > 0) {
    if (result.ttftMs !== null && out >= 2 && result.latencyMs > result.ttftMs) rate = (out - 1) / ((result.latencyMs - result.ttftMs) / 1000);
    else if (result.ttftMs === null && result.latencyMs > 0) rate = out / (result.latencyMs / 1000);
  }
  return {
    target: choice.label,
    ok: true,
    attempts,
    latency_ms: Math.round(result.latencyMs * 100) / 100,
    ttft_ms: result.ttftMs === null ? null : Math.round(result.ttftMs * 100) / 100,
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: out,
    cached_tokens: usage?.cachedInputTokens ?? null,
    cost_micros: usage ? usageCostMicros(choice.prices!, usage) : estimate,
    usage_reported: usage !== null,
    output_tokens_per_s: rate === null ? null : Math.round(rate * 100) / 100,
    served_model: result.servedModel,
    reason: null,
    message: null,
  };
}

function failed(choice: RouteChoice, reason: string, message: string, attempts: number, cost: number): SideOutcome {
  return {
    target: choice.label,
    ok: false,
    attempts,
    latency_ms: null,
    ttft_ms: null,
    input_tokens: null,
    output_tokens: null,
    cached_tokens: null,
    cost_micros: cost,
    usage_reported: false,
    output_tokens_per_s: null,
    served_model: null,
    reason,
    message: message.slice(0, 300),
  };
}

/** A request that timed out may still have been billed: it counts at its estimate, never at zero. */
function timeoutCost(result: Extract<ChatResult, { ok: false }>, estimate: number): number {
  return result.reason === 'timeout' ? estimate : 0;
}
