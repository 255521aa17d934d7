/**
 * Time limits of every AWS SDK call, so that a service that is down or hangs
 * fails the call well within a function's timeout (three attempts, the SDK
 * default, take at most about 8 s), and the route answers 503 instead of
 * Lambda timing out. The calls Reprise makes answer in milliseconds when
 * the service is up.
 */
export const awsClientConfig = {
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_500 },
} as const;
