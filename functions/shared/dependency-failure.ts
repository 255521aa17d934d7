import { DependencyUnavailableError } from '#core/errors.ts';

/** Socket-level failures: the service is down or cannot be reached. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
/** AWS error names that mean "too many requests, slow down" (DynamoDB, SQS, S3, Secrets Manager, Scheduler). */
const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'TransactionConflictException',
]);
/** Timeouts of the SDK's HTTP handler (connection or response). */
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

export interface DependencyFailure {
  kind: 'throttled' | 'unavailable';
  /** A few words for /health and the logs: never a host, key or value. */
  reason: string;
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
  errors?: unknown;
}

/**
 * Whether an error thrown by an AWS SDK call (or the Powertools utilities on
 * top of one) means the service is down, unreachable, failing on its side or
 * throttling, as opposed to a bad request or a bug. Follows `cause` chains.
 */
export function dependencyFailureOf(error: unknown, depth = 0): DependencyFailure | undefined {
  if (!error || typeof error !== 'object' || depth > 5) return undefined;
  const e = error as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (THROTTLING.has(name)) return { kind: 'throttled', reason: 'throttled' };
  if (TIMEOUTS.has(name) || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'unavailable', reason: 'timed out' };
  if (NETWORK_CODES.has(code)) return { kind: 'unavailable', reason: code === 'ECONNREFUSED' ? 'connection refused' : `network error (${code})` };
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === 'server' || (typeof status === 'number' && status >= 500)) return { kind: 'unavailable', reason: `server error${name ? ` (${name})` : ''}` };
  for (const inner of Array.isArray(e.errors) ? e.errors : []) {
    const found = dependencyFailureOf(inner, depth + 1);
    if (found) return found;
  }
  return dependencyFailureOf(e.cause, depth + 1);
}

/** The 503 a request answers when a dependency failed; undefined for any other error. */
export function asDependencyUnavailable(error: unknown): DependencyUnavailableError | undefined {
  if (error instanceof DependencyUnavailableError) return error;
  const failure = dependencyFailureOf(error);
  if (!failure) return undefined;
  return failure.kind === 'throttled'
    ? new DependencyUnavailableError('A service this API depends on is throttling requests; retry shortly.', 1)
    : new DependencyUnavailableError();
}
