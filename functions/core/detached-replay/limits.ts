/** Every limit of detached replay (the README lists them too). */
export const detachedLimits = {
  /** Keys per listing page (S3's maximum for ListObjectsV2). */
  pageSize: 1_000,
  /** Entries per SendMessageBatch call (SQS's maximum). */
  batchSize: 10,
  /** SendMessageBatch calls in flight per page (and per request, across the pages it publishes). */
  publishConcurrency: 16,
  /** Pages a request publishes at once: keeps the calls flowing across page boundaries. */
  pagesInFlight: 3,
  /** Attempts per message (first try + retries of `Failed[]` entries or failed calls). */
  publishAttempts: 4,
  /** Time the request itself publishes before handing the rest to the queue (202). */
  inlineBudgetMs: 5_000,
  /**
   * Delay of the resume message sent as an execution starts: past the time
   * the starting request can still run (its function's 29 s timeout), so
   * that whatever it left unfinished is surely its to hand on.
   */
  resumeAfterSeconds: 60,
  /** Page items (sent / done) expire this long after their last write: past any page message's 4-day retention. */
  pageItemDays: 7,
  /** Errors kept per page and per execution. */
  errorsPerPage: 5,
  errorsPerExecution: 20,
  /** Ancestors kept in an execution's lineage. */
  lineageDepth: 20,
  /** S3 key length limit, in UTF-8 bytes. */
  maxPrefixBytes: 1_024,
  maxStageChars: 256,
  maxPathChars: 512,
  /** An execution with no page progress for this long is declared stalled by the sweeper. */
  stallSeconds: 15 * 60,
  defaultPageSize: 50,
  maxPageSize: 200,
} as const;

/** Objects ending with this are sidecars describing another object, never replayed. */
export const SIDECAR_SUFFIX = '.meta.json';
