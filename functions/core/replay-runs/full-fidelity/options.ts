/** How a full-fidelity run retries a failed request (recorded in provenance). */
export interface RetryPolicy {
  /** Attempts per request, the first included. */
  max_attempts: number;
  /** Limit of one attempt, from sending to the last byte of the answer. */
  timeout_ms: number;
}

/** What a full-fidelity run was asked for, fixed at create. */
export interface FullFidelityOptions {
  /** The budget, in micro-USD. */
  maxSpendMicros: number;
  /** Where the budget came from. */
  budgetSource: 'request' | 'project_default' | 'platform_default';
  /** `max_tokens` of every request: the output allowance the estimate counts. */
  maxOutputTokens: number;
  retryPolicy: RetryPolicy;
}

export const fullFidelityLimits = {
  /** Budget of a run that states none, where the project has no default either (USD). */
  platformDefaultMaxSpendUsd: 10,
  maxSpendUsd: 100_000,
  defaultMaxOutputTokens: 1_024,
  maxOutputTokens: 32_768,
  defaultRetryPolicy: { max_attempts: 3, timeout_ms: 60_000 } satisfies RetryPolicy,
  maxAttempts: 5,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 120_000,
  /** traces × repetitions of one run: each pair is two real requests. */
  maxPairs: 100_000,
  /** Requests one chunk worker keeps in flight at most; more concurrency runs more chunks at once. */
  maxInFlightPerChunk: 64,
  /** Chunks of one run running at once at most (lanes). */
  maxLanes: 16,
  /** A chunk holds this many pairs per request in flight (8 requests per slot, one after the other). */
  pairsPerSlot: 4,
  maxPairsPerChunk: 250,
  /** Retry backoff: full jitter over base · 2^attempt, capped. */
  backoffBaseMs: 250,
  backoffCapMs: 4_000,
  /** Longest Retry-After honoured. */
  maxRetryAfterMs: 10_000,
  /** A chunk stops sending when less invocation time than one attempt plus this is left. */
  timeMarginMs: 10_000,
  /** Failed requests whose reasons a report lists. */
  maxListedFailures: 20,
  /**
   * A chunk's claim lasts this long: the chunk worker's function timeout, after
   * which Lambda has certainly stopped it (the catalogue test holds the two equal).
   */
  chunkLeaseSeconds: 300,
  /**
   * A running full-fidelity run with no chunk progress for this long is failed
   * by the sweeper: longer than a stopped worker's chunk takes to come back
   * (the chunk queue's visibility timeout) and be settled.
   */
  progressWatchdogSeconds: 2_400,
  /** A chunk worker goes on with its lane's next chunk itself when twice the last chunk's time and this are left. */
  carryOnMarginMs: 30_000,
} as const;
