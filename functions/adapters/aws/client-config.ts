/**
 * Time limits of every AWS SDK call, so that a service that is down or hangs
 * fails the call well within a function's timeout (three attempts of at most
 * 2 s each, about 6.5 s with the SDK's backoff, under the 10 s of the small
 * functions), and the route answers 503 instead of Lambda timing out. The
 * calls Reprise makes answer in milliseconds when the service is up. Without
 * `throwOnRequestTimeout` the SDK only warns and keeps waiting.
 */
export const awsClientConfig = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
} as const;
