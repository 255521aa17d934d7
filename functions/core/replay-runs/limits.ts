/** Every limit of the replay runs API (the README lists them too). */
export const replayRunLimits = {
  maxTraces: 5_000,
  /**
   * Fewer requests (traces in the manifest) than this and a report computes no
   * confidence interval and recommends no profile: repetitions of a few
   * requests are not independent evidence about the traffic.
   */
  minRequestsForInterval: 30,
  minRepetitions: 1,
  maxRepetitions: 1_000,
  maxConcurrency: 1_000,
  /** `scheduled_for` further ahead than this is refused. */
  maxScheduleAheadDays: 365,
  usageBatchMax: 1_000,
  defaultPageSize: 20,
  maxPageSize: 100,
  maxAliasReleases: 10,
  /** Aliases one project may define (PUT of another is a 400); GET /v2/aliases lists them all. */
  maxAliasesPerProject: 100,
  maxAliasWeight: 10_000,
  maxTokensPerTrace: 10_000_000,
  maxMessagesPerTrace: 200,
  maxMessageChars: 100_000,
  /**
   * Lambda takes at most 6 MB per synchronous event, and the event carries the
   * body as an escaped JSON string next to the headers: half of that is what
   * can always arrive whole and get this API's own 413 above it.
   */
  maxBodyBytes: 3 * 1024 * 1024,
  /** How long an `Idempotency-Key` of `POST /v2/replay-runs` is remembered. */
  idempotencyWindowHours: 24,
  /** A running run whose worker has not finished by then is failed by the sweeper. */
  runDeadlineSeconds: 180,
  /** A queued run still queued this long after it was due gets its message sent again. */
  missedScheduleGraceSeconds: 300,
} as const;
