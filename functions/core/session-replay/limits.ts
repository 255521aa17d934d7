/** Every limit of proxy endpoints, recordings and session replays (the README lists them too). */
export const sessionReplayLimits = {
  maxEndpointNameChars: 128,
  maxUpstreamUrlChars: 2_048,
  maxEndpointsPerProject: 100,
  /** Extra header names an endpoint redacts besides the built-in ones. */
  maxRedactHeaders: 50,
  minSessionIdleSeconds: 1,
  maxSessionIdleSeconds: 7 * 86_400,
  defaultSessionIdleSeconds: 1_800,
  defaultSessionHeader: 'x-session-id',
  /** A session header value longer than this groups by its first characters. */
  maxSessionKeyChars: 256,

  /** Bodies up to this size are kept whole; larger ones are cut here and flagged `truncated`. */
  maxRecordedBodyBytes: 1024 * 1024,
  /** Bodies up to this size live in the recording's item; larger ones in the recordings bucket. */
  maxInlineBodyBytes: 4 * 1024,
  /**
   * Largest upstream answer the proxy passes on. Lambda returns at most 6 MB,
   * and a body travels base64-encoded (4/3 of its size) next to the headers.
   */
  maxProxiedResponseBytes: 4 * 1024 * 1024,
  /** Largest request body the proxy accepts: Lambda takes 6 MB per event, base64-encoded bodies included. */
  maxProxiedRequestBytes: 4 * 1024 * 1024,
  /** How long the proxy waits for the upstream's whole answer (API Gateway gives up at 30 s). */
  upstreamTimeoutMs: 25_000,
  upstreamConnectTimeoutMs: 5_000,

  defaultPageSize: 50,
  maxPageSize: 200,
  defaultResultsPageSize: 100,
  maxResultsPageSize: 1_000,

  /** HAR import: the request body (Lambda's 6 MB event holds it escaped) and the entries. */
  maxImportBodyBytes: 3 * 1024 * 1024,
  maxImportEntries: 5_000,

  /** The most requests one replay sends: a longer session is refused with a 422. */
  maxReplayRequests: 10_000,
  maxHeaderOverrides: 50,
  maxHeaderValueChars: 8_192,
  maxIgnorePaths: 50,
  maxIgnorePathChars: 256,
  /** Requests of an `instant` replay in flight at once. */
  instantConcurrency: 50,
  /** Requests of a timed replay in flight at once (more due at the same moment wait, and their delay is recorded). */
  timedConcurrency: 256,
  /** How long a replayed request may take, from connecting to its last byte. */
  replayRequestTimeoutMs: 10_000,
  /** Largest answer a replayed request reads (the rest fails the request as too large). */
  maxReplayResponseBytes: 5 * 1024 * 1024,
  /** A window of a timed replay spans this much of the replay's schedule… */
  windowSpanMs: 60_000,
  /** …and at most this many requests (an instant replay's windows are this many requests). */
  maxWindowRequests: 1_000,
  /** …and at most this many body bytes to hold in memory. */
  maxWindowBodyBytes: 64 * 1024 * 1024,
  /** The first request of a replay is due this long after its worker starts it (the time to claim its first window). */
  startLeadMs: 100,
  /** A window's worker starts this long before its first request is due (to load it and claim it). */
  windowLeadMs: 15_000,
  /** SQS holds a message back at most 15 minutes: a window further ahead takes several hops. */
  maxQueueDelaySeconds: 900,
  /** While a window runs, its results and counts are written this often. */
  flushEveryMs: 1_000,
  /** A running replay with no window progress this long past its schedule is failed by the sweeper. */
  stallGraceMs: 5 * 60_000,
  /** A queued replay still queued this long after it was created gets its first message again. */
  queuedGraceMs: 5 * 60_000,
  /** Differences listed per request when `compare` is `status_and_body`. */
  maxDiffEntries: 20,
  maxDiffValueChars: 200,
} as const;
