/**
 * The resource catalogue: every table, queue, bucket, route and worker of
 * Reprise, described once. The CDK stack (`lib/cdk`) and the local platform
 * (`lib/local`) both build from this file, so the two cannot drift.
 *
 * Plain data only: no CDK or AWS SDK imports, so the local platform can load
 * it without pulling in aws-cdk-lib. Functions import it too (env var names,
 * limits of the page build), so it holds no deployment configuration: what a
 * deployment chooses (the detached replay routes of cdk.json) lives in
 * `deployment-config.ts`, which only the CDK app and the local platform read;
 * functions get it through their environment.
 */

export type TableId = 'apiKeys' | 'projects' | 'ledger' | 'replay' | 'detached' | 'proxy' | 'reproducibility';
export type QueueId = 'runs' | 'replayChunks' | 'detachedPages' | 'sessionReplays' | 'reproducibility';
export type BucketId = 'outputs' | 'artifacts' | 'recordings';
export type SecretId = 'reportSigningKey' | 'providers';

export interface TableSpec {
  /** Environment variable that carries the table name into a function. */
  readonly envName: string;
  /** Physical name on the local platform (CloudFormation names it on AWS). */
  readonly localName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Epoch-seconds attribute DynamoDB expires items by. */
  readonly ttlAttribute?: string;
  readonly indexes?: readonly { name: string; partitionKey: string; sortKey?: string }[];
}

export interface QueueSpec {
  /** Environment variable that carries the queue URL into a function. */
  readonly envName: string;
  readonly localName: string;
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the queue's dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
}

export interface BucketSpec {
  readonly envName: string;
  readonly localName: string;
}

export interface SecretSpec {
  /** On AWS: the env var carrying the secret's ARN (the value is read at run time). */
  readonly envName: string;
  /** On the local platform: the env var carrying the value itself. */
  readonly localValueEnvName: string;
  readonly description: string;
  /**
   * `generatedKey`: a random key the stack generates (never in the template).
   * `operatorJson`: created as `{}` for the operator to fill in (credentials of other systems).
   */
  readonly value: 'generatedKey' | 'operatorJson';
}

/** What a function may touch; the stack turns each into a `grant*` and an env var. */
export type Access =
  /** `probe`: only whether the table is there (DescribeTable), for health checks. */
  | { readonly table: TableId; readonly mode: 'probe' | 'read' | 'readWrite' }
  /** `probe`: only the queue's attributes (GetQueueAttributes). */
  | { readonly queue: QueueId; readonly mode: 'probe' | 'send' | 'consume' }
  /** `probe`: only whether the bucket is there (HeadBucket, which needs s3:ListBucket). */
  | { readonly bucket: BucketId; readonly mode: 'probe' | 'read' | 'write' | 'readWrite' }
  /** Create and delete one-time schedules in the Reprise schedule group. */
  | { readonly scheduler: 'manage' }
  | { readonly secret: SecretId }
  /** Send to every detached replay route's queue (env `DETACHED_ROUTES`: name → queue URL). */
  | { readonly routes: 'send' };

export interface FunctionSpec {
  /** Module (relative to the repository root) whose `handler` export Lambda runs. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly uses: readonly Access[];
  /** Built files the function reads at run time, carried in its bundle (see `BundledFiles`). */
  readonly files?: BundledFiles;
}

/**
 * Files `npm run build` writes to `from` (relative to the repository root);
 * the stack builds them before bundling and copies them beside the bundle's
 * `index.mjs` as `into/`. The local platform runs the sources, which read `from`.
 */
export interface BundledFiles {
  readonly from: string;
  readonly into: string;
}

/** `ANY` matches every method (the recording proxy); a route with a named method wins over it. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'ANY';

export interface RouteSpec extends FunctionSpec {
  readonly method: HttpMethod;
  /** API Gateway v2 path: `{name}` for one segment, `{name+}` for the rest. */
  readonly path: string;
  /** `false` only for public routes (health, OpenAPI, the page, and the proxy, which its endpoint token authorises). */
  readonly auth: boolean;
  /** Why a route with `auth: false` may be public, when not for the reasons above (said to cdk-nag). */
  readonly publicBecause?: string;
}

export interface WorkerSpec extends FunctionSpec {
  readonly queue: QueueId;
  /** Messages per invocation (SQS event source `batchSize`). */
  readonly batchSize: number;
  /** Concurrent invocations the event source may run (`maxConcurrency`, ≥ 2). */
  readonly maxConcurrency: number;
}

export interface ScheduledSpec extends FunctionSpec {
  /** How often EventBridge (or the local platform) invokes the function. */
  readonly everyMinutes: number;
}

export const tables = {
  apiKeys: {
    envName: 'API_KEYS_TABLE',
    localName: 'reprise-api-keys',
    partitionKey: 'key_hash',
    // Revoking by key id (`npm run api-key -- revoke key_…`).
    indexes: [{ name: 'by_key_id', partitionKey: 'key_id' }],
  },
  projects: {
    envName: 'PROJECTS_TABLE',
    localName: 'reprise-projects',
    // A project's name is unique within its org only; its id (`prj_…`) is unique everywhere.
    partitionKey: 'org_id',
    sortKey: 'project_name',
  },
  ledger: {
    envName: 'LEDGER_TABLE',
    localName: 'reprise-ledger',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expires_at',
  },
  detached: {
    envName: 'DETACHED_TABLE',
    localName: 'reprise-detached',
    partitionKey: 'pk',
    sortKey: 'sk',
    // Page items expire; executions carry no expires_at and stay.
    ttlAttribute: 'expires_at',
    // Sparse: executions still publishing, by last progress (the sweeper finds stalled ones).
    indexes: [{ name: 'sweep', partitionKey: 'sweep_pk', sortKey: 'sweep_sk' }],
  },
  proxy: {
    envName: 'PROXY_TABLE',
    localName: 'reprise-proxy',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      // An endpoint's recordings across its sessions, newest first.
      { name: 'recordings', partitionKey: 'rec_pk', sortKey: 'rec_sk' },
      // Sparse: replays the sweeper may repair (queued by creation, running by stall deadline), endpoints to purge.
      { name: 'sweep', partitionKey: 'sweep_pk', sortKey: 'sweep_sk' },
    ],
  },
  replay: {
    envName: 'REPLAY_TABLE',
    localName: 'reprise-replay',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expires_at',
    // Sparse: only runs the sweeper may have to repair (queued by due time, running by deadline).
    indexes: [{ name: 'sweep', partitionKey: 'sweep_pk', sortKey: 'sweep_sk' }],
  },
  reproducibility: {
    envName: 'REPRODUCIBILITY_TABLE',
    localName: 'reprise-reproducibility',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expires_at',
    indexes: [
      // Sessions by replayability and runs by session, newest first (sparse).
      { name: 'list', partitionKey: 'list_pk', sortKey: 'list_sk' },
      // The same per agent.
      { name: 'by_agent', partitionKey: 'agent_pk', sortKey: 'agent_sk' },
      // Sparse: attempts running (by deadline) and active runs (by stall deadline), for the sweeper.
      { name: 'sweep', partitionKey: 'sweep_pk', sortKey: 'sweep_sk' },
    ],
  },
} as const satisfies Record<TableId, TableSpec>;

export const queues = {
  runs: {
    envName: 'RUNS_QUEUE_URL',
    localName: 'reprise-runs',
    visibilityTimeoutSeconds: 6 * 120,
    maxReceiveCount: 3,
    retentionDays: 4,
  },
  /** One message per chunk of a full-fidelity run; a chunk held by a live worker comes back after the visibility timeout. */
  replayChunks: {
    envName: 'REPLAY_CHUNKS_QUEUE_URL',
    localName: 'reprise-replay-chunks',
    visibilityTimeoutSeconds: 6 * 300,
    maxReceiveCount: 5,
    retentionDays: 4,
  },
  detachedPages: {
    envName: 'DETACHED_PAGES_QUEUE_URL',
    localName: 'reprise-detached-pages',
    visibilityTimeoutSeconds: 6 * 60,
    maxReceiveCount: 5,
    retentionDays: 4,
  },
  sessionReplays: {
    envName: 'SESSION_REPLAY_QUEUE_URL',
    localName: 'reprise-session-replays',
    // Six times the worker's timeout: a window is never handed to a second worker while the first may still send.
    visibilityTimeoutSeconds: 6 * 300,
    maxReceiveCount: 3,
    retentionDays: 4,
  },
  /** One message per attempt of a reproducibility run. */
  reproducibility: {
    envName: 'REPRODUCIBILITY_QUEUE_URL',
    localName: 'reprise-reproducibility',
    visibilityTimeoutSeconds: 6 * 320,
    maxReceiveCount: 3,
    retentionDays: 4,
  },
} as const satisfies Record<QueueId, QueueSpec>;

/** Env var carrying `{ name: { queue_url, projects? } }` into the functions that publish (see `deployment-config.ts`). */
export const DETACHED_ROUTES_ENV = 'DETACHED_ROUTES';

export const secrets = {
  reportSigningKey: {
    envName: 'REPORT_SIGNING_SECRET_ARN',
    localValueEnvName: 'REPORT_SIGNING_KEY',
    description: 'HMAC-SHA256 key for replay report evidence digests',
    value: 'generatedKey',
  },
  providers: {
    envName: 'PROVIDERS_SECRET_ARN',
    localValueEnvName: 'REPRISE_PROVIDERS',
    description: 'Model providers of full-fidelity replay runs: {"<provider>": {"base_url", "api_key"}}',
    value: 'operatorJson',
  },
} as const satisfies Record<SecretId, SecretSpec>;

export const buckets = {
  outputs: { envName: 'OUTPUTS_BUCKET', localName: 'reprise-pipeline-outputs' },
  artifacts: { envName: 'ARTIFACTS_BUCKET', localName: 'reprise-artifacts' },
  recordings: { envName: 'RECORDINGS_BUCKET', localName: 'reprise-recordings' },
} as const satisfies Record<BucketId, BucketSpec>;

const small = { timeoutSeconds: 10, memoryMb: 512 } as const;
const ledgerRead = [{ table: 'ledger', mode: 'read' }] as const;
const replayRead = [{ table: 'replay', mode: 'read' }] as const;
const replayWrite = [{ table: 'replay', mode: 'readWrite' }] as const;
const signingKey = { secret: 'reportSigningKey' } as const;
const providers = { secret: 'providers' } as const;
/**
 * The replay runs API's reads share one function, and what a project sets for
 * its runs another: each group needs exactly the same access, so sharing costs
 * no privilege and saves a function, role, policy and log group per route.
 */
const replayReads = { entry: 'functions/http/replay-runs/read-routes.ts', auth: true, ...small, uses: replayRead } as const;
const replayProject = { entry: 'functions/http/replay-runs/project-routes.ts', auth: true, ...small, uses: replayWrite } as const;
/** Functions that end runs record their outcome in the ledger. */
const ledgerWrite = { table: 'ledger', mode: 'readWrite' } as const;
const detachedRead = [{ table: 'detached', mode: 'read' }] as const;
const proxyRead = [{ table: 'proxy', mode: 'read' }] as const;
const proxyWrite = [{ table: 'proxy', mode: 'readWrite' }] as const;
const recordingsRead = { bucket: 'recordings', mode: 'read' } as const;
const sessionReplaysSend = { queue: 'sessionReplays', mode: 'send' } as const;
const endpoints = '/api/v1/proxy-endpoints';
const sessions = `${endpoints}/{endpoint_id}/sessions`;
const replays = `${sessions}/{session_id}/replays`;
/** The recording proxy: one function for both of its routes. */
const proxy = {
  entry: 'functions/http/proxy/forward.ts',
  auth: false,
  publicBecause: 'The recording proxy is authorised by the unguessable endpoint token in its path (the client\'s own Authorization belongs to its upstream); an unknown token is a 404.',
  timeoutSeconds: 29,
  memoryMb: 1024,
  uses: [...proxyWrite, { bucket: 'recordings', mode: 'write' }],
} as const;
const reproRead = [{ table: 'reproducibility', mode: 'read' }] as const;
const reproWrite = [{ table: 'reproducibility', mode: 'readWrite' }] as const;
const artifactsRead = { bucket: 'artifacts', mode: 'read' } as const;
const artifactsWrite = { bucket: 'artifacts', mode: 'readWrite' } as const;
const sessionWrite = { auth: true, timeoutSeconds: 29, memoryMb: 1024, uses: [...reproWrite, artifactsWrite] } as const;

/** The parts of a catalogue that name the environment variables of an `Access`. */
export interface EnvironmentNames {
  readonly tables: Readonly<Record<TableId, Pick<TableSpec, 'envName'>>>;
  readonly queues: Readonly<Record<QueueId, Pick<QueueSpec, 'envName'>>>;
  readonly buckets: Readonly<Record<BucketId, Pick<BucketSpec, 'envName'>>>;
  readonly secrets: Readonly<Record<SecretId, Pick<SecretSpec, 'envName'>>>;
  readonly scheduling: { readonly env: Readonly<Record<string, string>> };
}

/**
 * The environment variables the stack gives a function for one thing it
 * uses (`lib/cdk/constructs/access.ts` sets them with the grant); the local
 * platform gives each handler exactly these too.
 */
export function envNamesOf(access: Access, names: EnvironmentNames = { tables, queues, buckets, secrets, scheduling }): string[] {
  if ('table' in access) return [names.tables[access.table].envName];
  if ('queue' in access) return [names.queues[access.queue].envName];
  if ('bucket' in access) return [names.buckets[access.bucket].envName];
  if ('secret' in access) return [names.secrets[access.secret].envName];
  if ('routes' in access) return [DETACHED_ROUTES_ENV];
  return Object.values(names.scheduling.env);
}

/** The built Replay Hub page (`web/`, built by `npm run build`). */
export const pageFiles: BundledFiles = { from: 'dist/web', into: 'web' };
/** Every page route shares one function, so the HTML and its assets warm the same container. */
const page = { entry: 'functions/http/page/serve-page.ts', auth: false, ...small, uses: [], files: pageFiles } as const;

export interface AuthorizerSpec extends FunctionSpec {
  /**
   * How long a key's verdict is reused: the authorizer keeps each key's
   * lookup this long (per container), and the local gateway keeps each key's
   * answer this long, so a revoked key stops working within it in both places.
   * (API Gateway's own cache stays off: it would need the header as identity
   * source, and then a request without one gets API Gateway's 401 body.)
   */
  readonly verdictTtlSeconds: number;
}

/** The authorizer runs before every route with `auth: true`. */
export const authorizer: AuthorizerSpec = {
  entry: 'functions/http/authorizer.ts',
  ...small,
  uses: [{ table: 'apiKeys', mode: 'read' }],
  verdictTtlSeconds: 60,
};

export const routes: readonly RouteSpec[] = [
  {
    method: 'GET',
    path: '/health',
    entry: 'functions/http/platform/health.ts',
    auth: false,
    ...small,
    // One resource of each service every request needs, probed without reading any data.
    uses: [
      { table: 'apiKeys', mode: 'probe' },
      { queue: 'runs', mode: 'probe' },
      { bucket: 'artifacts', mode: 'probe' },
    ],
  },
  { method: 'GET', path: '/openapi.json', entry: 'functions/http/platform/openapi.ts', auth: false, ...small, uses: [] },
  { method: 'GET', path: '/api/v1/me', entry: 'functions/http/account/get-me.ts', auth: true, ...small, uses: [] },
  { method: 'GET', path: '/', ...page },
  { method: 'GET', path: '/replay', ...page },
  { method: 'GET', path: '/replay/{proxy+}', ...page },
  // Exactly /proxy: the paths below it are the recording proxy's (ANY /proxy/{endpoint_token}/…).
  { method: 'GET', path: '/proxy', ...page },
  { method: 'GET', path: '/reproducibility', ...page },
  {
    method: 'POST',
    path: '/api/v1/replay/{run_id}/results',
    entry: 'functions/http/ledger/post-result.ts',
    auth: true,
    ...small,
    uses: [{ table: 'ledger', mode: 'readWrite' }],
  },
  { method: 'GET', path: '/api/v1/replay/history', entry: 'functions/http/ledger/list-history.ts', auth: true, ...small, uses: ledgerRead },
  {
    method: 'GET',
    path: '/api/v1/replay/history/{run_id}',
    entry: 'functions/http/ledger/get-run-history.ts',
    auth: true,
    ...small,
    uses: ledgerRead,
  },
  { method: 'GET', path: '/api/v1/replay/stats', entry: 'functions/http/ledger/get-stats.ts', auth: true, ...small, uses: ledgerRead },
  {
    method: 'GET',
    path: '/api/v1/replay/stats/daily',
    entry: 'functions/http/ledger/get-daily-stats.ts',
    auth: true,
    ...small,
    uses: ledgerRead,
  },
  {
    method: 'POST',
    path: '/v2/replay-runs',
    entry: 'functions/http/replay-runs/create-run.ts',
    auth: true,
    timeoutSeconds: 29,
    memoryMb: 1024,
    // routing_simulation completes (and is recorded in the ledger) here; full fidelity checks the configured providers.
    uses: [...replayWrite, { bucket: 'artifacts', mode: 'readWrite' }, { queue: 'runs', mode: 'send' }, { scheduler: 'manage' }, signingKey, providers, ledgerWrite],
  },
  { method: 'GET', path: '/v2/replay-runs', ...replayReads },
  { method: 'GET', path: '/v2/replay-runs/{replay_run_id}', ...replayReads },
  {
    method: 'POST',
    path: '/v2/replay-runs/{replay_run_id}/cancel',
    entry: 'functions/http/replay-runs/cancel-run.ts',
    auth: true,
    ...small,
    uses: [...replayWrite, { scheduler: 'manage' }],
  },
  { method: 'GET', path: '/v2/replay-runs/{replay_run_id}/report', ...replayReads },
  { method: 'POST', path: '/v2/replay-reports/verify', entry: 'functions/http/replay-runs/verify-report.ts', auth: true, ...small, uses: [signingKey] },
  { method: 'PUT', path: '/v2/aliases/{name}', ...replayProject },
  { method: 'GET', path: '/v2/aliases', ...replayReads },
  { method: 'POST', path: '/v2/usage-events', entry: 'functions/http/replay-runs/record-usage.ts', auth: true, timeoutSeconds: 29, memoryMb: 512, uses: replayWrite },
  { method: 'POST', path: '/v2/namespaces/{name}/purge', ...replayProject },
  { method: 'GET', path: '/v2/namespaces', ...replayReads },
  { method: 'GET', path: '/v2/replay-settings', ...replayReads },
  { method: 'PUT', path: '/v2/replay-settings', ...replayProject },
  { method: 'GET', path: '/v2/usage-events', ...replayReads },
  {
    method: 'POST',
    path: '/api/v1/replay',
    entry: 'functions/http/detached-replay/start-replay.ts',
    auth: true,
    timeoutSeconds: 29,
    memoryMb: 1024,
    // The ledger: an execution the request finishes writes its submission (kind detached_replay).
    uses: [
      { table: 'detached', mode: 'readWrite' },
      { bucket: 'outputs', mode: 'read' },
      { routes: 'send' },
      { queue: 'detachedPages', mode: 'send' },
      { table: 'ledger', mode: 'readWrite' },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/replay/executions',
    entry: 'functions/http/detached-replay/list-executions.ts',
    auth: true,
    ...small,
    uses: detachedRead,
  },
  {
    method: 'GET',
    path: '/api/v1/replay/executions/{execution_id}',
    entry: 'functions/http/detached-replay/get-execution.ts',
    auth: true,
    ...small,
    uses: detachedRead,
  },
  { method: 'GET', path: '/api/v1/routes', entry: 'functions/http/detached-replay/list-routes.ts', auth: true, ...small, uses: [{ routes: 'send' }] },
  { method: 'POST', path: endpoints, entry: 'functions/http/session-replay/create-endpoint.ts', auth: true, ...small, uses: proxyWrite },
  { method: 'GET', path: endpoints, entry: 'functions/http/session-replay/list-endpoints.ts', auth: true, ...small, uses: proxyRead },
  { method: 'GET', path: `${endpoints}/{endpoint_id}`, entry: 'functions/http/session-replay/get-endpoint.ts', auth: true, ...small, uses: proxyRead },
  { method: 'PATCH', path: `${endpoints}/{endpoint_id}`, entry: 'functions/http/session-replay/update-endpoint.ts', auth: true, ...small, uses: proxyWrite },
  { method: 'DELETE', path: `${endpoints}/{endpoint_id}`, entry: 'functions/http/session-replay/delete-endpoint.ts', auth: true, ...small, uses: [...proxyWrite, sessionReplaysSend] },
  { method: 'GET', path: `${endpoints}/{endpoint_id}/recordings`, entry: 'functions/http/session-replay/list-recordings.ts', auth: true, ...small, uses: proxyRead },
  { method: 'GET', path: sessions, entry: 'functions/http/session-replay/list-sessions.ts', auth: true, ...small, uses: proxyRead },
  {
    method: 'POST',
    path: `${sessions}/import`,
    entry: 'functions/http/session-replay/import-har.ts',
    auth: true,
    timeoutSeconds: 29,
    memoryMb: 1024,
    uses: [...proxyWrite, { bucket: 'recordings', mode: 'readWrite' }],
  },
  { method: 'GET', path: `${sessions}/{session_id}`, entry: 'functions/http/session-replay/get-session.ts', auth: true, ...small, uses: proxyRead },
  {
    method: 'GET',
    path: `${sessions}/{session_id}/recordings/{recording_id}`,
    entry: 'functions/http/session-replay/get-recording.ts',
    auth: true,
    ...small,
    uses: [...proxyRead, recordingsRead],
  },
  {
    method: 'POST',
    path: replays,
    entry: 'functions/http/session-replay/create-replay.ts',
    auth: true,
    timeoutSeconds: 29,
    memoryMb: 1024,
    uses: [...proxyWrite, { bucket: 'recordings', mode: 'readWrite' }, sessionReplaysSend],
  },
  { method: 'GET', path: replays, entry: 'functions/http/session-replay/list-replays.ts', auth: true, ...small, uses: proxyRead },
  { method: 'GET', path: `${replays}/{replay_id}`, entry: 'functions/http/session-replay/get-replay.ts', auth: true, ...small, uses: [...proxyRead, recordingsRead] },
  {
    method: 'POST',
    path: `${replays}/{replay_id}/cancel`,
    entry: 'functions/http/session-replay/cancel-replay.ts',
    auth: true,
    ...small,
    // The ledger: a canceled replay writes its submission (its failed requests read from its results).
    uses: [...proxyWrite, recordingsRead, ledgerWrite],
  },
  { method: 'ANY', path: '/proxy/{endpoint_token}', ...proxy },
  { method: 'ANY', path: '/proxy/{endpoint_token}/{proxy+}', ...proxy },
  { method: 'POST', path: '/api/v1/sessions', entry: 'functions/http/reproducibility/create-session.ts', ...sessionWrite },
  { method: 'GET', path: '/api/v1/sessions', entry: 'functions/http/reproducibility/list-sessions.ts', auth: true, ...small, uses: reproRead },
  { method: 'GET', path: '/api/v1/sessions/{session_id}', entry: 'functions/http/reproducibility/get-session.ts', auth: true, ...small, uses: [...reproRead, artifactsRead] },
  { method: 'POST', path: '/api/v1/sessions/{session_id}/events', entry: 'functions/http/reproducibility/append-events.ts', ...sessionWrite },
  { method: 'POST', path: '/v1/traces', entry: 'functions/http/reproducibility/ingest-traces.ts', ...sessionWrite },
  { method: 'GET', path: '/api/v1/agents', entry: 'functions/http/reproducibility/list-agents.ts', auth: true, ...small, uses: reproRead },
  { method: 'GET', path: '/api/v1/agents/{agent_id}', entry: 'functions/http/reproducibility/get-agent.ts', auth: true, ...small, uses: reproRead },
  { method: 'PATCH', path: '/api/v1/agents/{agent_id}', entry: 'functions/http/reproducibility/update-agent.ts', auth: true, ...small, uses: reproWrite },
  { method: 'PUT', path: '/api/v1/agents/{agent_id}/replay-url', entry: 'functions/http/reproducibility/put-replay-url.ts', auth: true, ...small, uses: reproWrite },
  { method: 'DELETE', path: '/api/v1/agents/{agent_id}/replay-url', entry: 'functions/http/reproducibility/delete-replay-url.ts', auth: true, ...small, uses: reproWrite },
  {
    method: 'POST',
    path: '/api/v1/reproducibility/runs',
    entry: 'functions/http/reproducibility/create-run.ts',
    auth: true,
    timeoutSeconds: 29,
    memoryMb: 1024,
    uses: [...reproWrite, artifactsWrite, { queue: 'reproducibility', mode: 'send' }],
  },
  { method: 'GET', path: '/api/v1/reproducibility/runs', entry: 'functions/http/reproducibility/list-runs.ts', auth: true, ...small, uses: reproRead },
  { method: 'GET', path: '/api/v1/reproducibility/runs/{run_id}', entry: 'functions/http/reproducibility/get-run.ts', auth: true, ...small, uses: reproRead },
  { method: 'POST', path: '/api/v1/reproducibility/runs/{run_id}/cancel', entry: 'functions/http/reproducibility/cancel-run.ts', auth: true, ...small, uses: reproWrite },
  {
    method: 'GET',
    path: '/api/v1/reproducibility/runs/{run_id}/attempts/{index}',
    entry: 'functions/http/reproducibility/get-attempt.ts',
    auth: true,
    ...small,
    uses: [...reproRead, artifactsRead],
  },
];

/** Answers every request no route matched, in the error shape of its API family. */
export const fallbackRoute: FunctionSpec = { entry: 'functions/http/platform/not-found.ts', ...small, uses: [] };

export const workers: readonly WorkerSpec[] = [
  {
    entry: 'functions/workers/replay-run-worker.ts',
    queue: 'runs',
    // One run per invocation: a failing run must not hold others back.
    batchSize: 1,
    maxConcurrency: 5,
    timeoutSeconds: 120,
    memoryMb: 1769,
    // Full-fidelity runs start here: their first chunks go to the chunk queue.
    uses: [...replayWrite, { bucket: 'artifacts', mode: 'read' }, { queue: 'replayChunks', mode: 'send' }, signingKey, ledgerWrite],
  },
  {
    entry: 'functions/workers/replay-chunk-worker.ts',
    queue: 'replayChunks',
    // One chunk per invocation; its requests run concurrently inside it.
    batchSize: 1,
    // Two runs at the widest (16 lanes each) at once; more wait on the queue.
    maxConcurrency: 32,
    // The chunk lease (fullFidelityLimits.chunkLeaseSeconds) equals this.
    timeoutSeconds: 300,
    memoryMb: 1024,
    uses: [...replayWrite, { bucket: 'artifacts', mode: 'readWrite' }, { queue: 'replayChunks', mode: 'send' }, providers, signingKey, ledgerWrite],
  },
  {
    entry: 'functions/workers/detached-page-worker.ts',
    queue: 'detachedPages',
    // One listing page (up to 1,000 objects) per invocation.
    batchSize: 1,
    maxConcurrency: 10,
    timeoutSeconds: 60,
    memoryMb: 1024,
    // The ledger: the page or resume message that ends an execution writes its submission.
    uses: [{ table: 'detached', mode: 'readWrite' }, { bucket: 'outputs', mode: 'read' }, { routes: 'send' }, { queue: 'detachedPages', mode: 'send' }, { table: 'ledger', mode: 'readWrite' }],
  },
  {
    entry: 'functions/workers/session-replay-worker.ts',
    queue: 'sessionReplays',
    // One window per invocation: it sends on its own schedule for up to a minute of it.
    batchSize: 1,
    maxConcurrency: 10,
    // A window: its lead, a minute of schedule, its last requests' timeout, and the writes after.
    timeoutSeconds: 300,
    memoryMb: 1769,
    // The ledger: a replay that ends here (completed, or found canceled or failed) writes its submission (kind session_replay).
    uses: [...proxyWrite, { bucket: 'recordings', mode: 'readWrite' }, sessionReplaysSend, { table: 'ledger', mode: 'readWrite' }],
  },
  {
    entry: 'functions/workers/reproducibility-worker.ts',
    queue: 'reproducibility',
    // Up to 5 attempts per invocation, run in parallel: 4 invocations give a run of 20 at concurrency 20.
    batchSize: 5,
    maxConcurrency: 4,
    // The longest attempt (300 s) plus storing its answer and, for the last one, the verdict.
    timeoutSeconds: 320,
    memoryMb: 1024,
    uses: [...reproWrite, artifactsWrite, { queue: 'reproducibility', mode: 'send' }, { table: 'ledger', mode: 'readWrite' }],
  },
];

export const scheduled: readonly ScheduledSpec[] = [
  {
    entry: 'functions/workers/sweeper.ts',
    everyMinutes: 5,
    timeoutSeconds: 60,
    memoryMb: 512,
    uses: [
      ...replayWrite,
      { queue: 'runs', mode: 'send' },
      { table: 'detached', mode: 'readWrite' },
      ...proxyWrite,
      sessionReplaysSend,
      // A session replay the sweep fails writes its submission, its failed requests read from its results.
      recordingsRead,
      ...reproWrite,
      artifactsRead,
      { queue: 'reproducibility', mode: 'send' },
      { table: 'ledger', mode: 'readWrite' },
    ],
  },
];

/**
 * One-time `scheduled_for` schedules live in this group and may only send to
 * `targetQueue`; functions with `{ scheduler: 'manage' }` get these env vars.
 */
export const scheduling = {
  groupName: 'reprise',
  targetQueue: 'runs' as QueueId,
  env: {
    groupName: 'SCHEDULE_GROUP_NAME',
    roleArn: 'SCHEDULER_ROLE_ARN',
    targetArn: 'SCHEDULE_TARGET_ARN',
    deadLetterArn: 'SCHEDULE_DEAD_LETTER_ARN',
  },
} as const;
