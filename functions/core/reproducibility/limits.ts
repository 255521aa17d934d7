/** Every limit of sessions, agents and reproducibility runs (the README lists them too). */
export const reproducibilityLimits = {
  /** Body of `POST /api/v1/sessions` and `POST …/events`. */
  maxSessionBodyBytes: 1024 * 1024,
  /** Body of `POST /v1/traces` (Lambda's 6 MB event holds it escaped). */
  maxOtlpBodyBytes: 3 * 1024 * 1024,
  maxSpansPerExport: 5_000,
  /** Events in one create or append request. */
  maxEventsPerRequest: 1_000,
  maxEventsPerSession: 10_000,
  /**
   * Events of one session, as JSON: `GET /api/v1/sessions/{id}` answers the
   * whole session, and Lambda answers at most 6 MB.
   */
  maxSessionBytes: 4 * 1024 * 1024,
  /** One event, as JSON (its replay payload is at most this). */
  maxEventBytes: 1024 * 1024,
  maxMessagesPerRequest: 1_000,
  maxInputChars: 200_000,
  maxModelChars: 256,
  maxMetadataBytes: 16 * 1024,
  /** A chunk of events larger than this goes to S3 instead of its DynamoDB item. */
  inlineChunkBytes: 64 * 1024,
  /** Words of the user input and model name a session is searchable by. */
  maxSearchWords: 32,
  maxSearchWordChars: 40,
  maxReplayUrlChars: 2_048,
  maxIgnorePaths: 50,
  maxIgnorePathChars: 256,
  minRuns: 1,
  maxRuns: 20,
  defaultRuns: 5,
  minTimeoutSeconds: 1,
  maxTimeoutSeconds: 300,
  defaultTimeoutSeconds: 60,
  /** The largest answer an attempt reads; a larger one ends the attempt as an error. */
  maxResponseBytes: 2 * 1024 * 1024,
  /** An attempt's answer larger than this goes to S3 instead of its DynamoDB item. */
  inlineResponseBytes: 32 * 1024,
  outputExcerptChars: 500,
  /** Diverging paths kept per attempt, and divergent / noise paths per run. */
  maxPathsPerAttempt: 20,
  maxPathsPerRun: 100,
  defaultPageSize: 20,
  maxPageSize: 100,
  idempotencyWindowHours: 24,
  /** An attempt whose worker has not stored a result this long after its timeout ends as an error. */
  attemptGraceSeconds: 30,
  /** A run with no progress for its timeout plus this long gets its pending attempts sent again. */
  stallGraceSeconds: 150,
  /** After this many re-sends without progress, attempts that never started end as errors. */
  maxKicks: 3,
} as const;
