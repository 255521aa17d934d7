/** Every limit of the replay ledger API, in one place (the README lists them too). */
export const ledgerLimits = {
  /** Largest request body accepted by POST …/results. */
  maxBodyBytes: 256 * 1024,
  /** Entries in `divergence_details`. */
  maxDivergenceDetails: 100,
  /** Characters of one `recorded` / `replayed` value, serialised as JSON. */
  maxDetailValueChars: 2_048,
  /** Counts (`actions_*`, `divergences`) and `cost_savings` (USD) per submission. */
  maxCount: 1_000_000_000,
  maxCostSavingsUsd: 1_000_000_000,
  maxTextChars: 256,
  /** History page size: default and maximum. */
  defaultPageSize: 50,
  maxPageSize: 200,
  /** How long an `Idempotency-Key` is remembered. */
  idempotencyWindowHours: 24,
  maxIdempotencyKeyChars: 255,
  /** Deepest `skip` accepted; page further with `cursor`, which costs the same at any depth. */
  maxSkip: 100_000,
  /** Days `GET …/stats/daily` covers: default and maximum. */
  defaultDailyDays: 30,
  maxDailyDays: 90,
  /** Deployments `GET …/stats/daily` answers per window: the busiest ones; the others are summed as `(other)`. */
  maxDailyDeployments: 20,
  /** Day × deployment counters one daily answer reads at most (newest first); a window holding more is cut at the oldest days. */
  maxDailyCountersRead: 20_000,
} as const;

/** Run ids are the SDK's own ids: letters, digits and `._:-`, up to 128 characters. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
