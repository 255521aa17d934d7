import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProviderConfig } from '../../functions/adapters/providers/provider-config.ts';
import { DETACHED_ROUTES_ENV, queues, scheduled, scheduling, secrets, workers } from '../catalogue.ts';
import { detachedRoutes, routeQueueName, routeQueueSettings, routesEnvValue } from '../deployment-config.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { startFauxqsProcess } from './fauxqs-process.ts';
import { startHttpGateway } from './http-gateway.ts';
import { createIsolatedHost, type FunctionHost } from './function-host.ts';
import { functionEnvironment } from './function-environment.ts';
import { dlqName, LOCAL_ACCOUNT, localCredentials, provision, resourceEnvironment, type ProvisionedResources } from './provision.ts';
import { startSchedulerStandIn, type SchedulerStandIn } from './scheduler-stand-in.ts';
import { startSqsPollers } from './sqs-pollers.ts';
import { rememberedPorts, rememberPorts } from './stable-ports.ts';
import { superviseEmulator, type SupervisedEmulator } from './supervisor.ts';
import { assertPortFree } from './free-port.ts';

export const LOCAL_REGION = 'us-east-1';

/** Settings of the local platform that functions read, passed on to every function when set. */
const LOCAL_SETTINGS = ['DETACHED_INLINE_BUDGET_MS', 'DETACHED_RESUME_AFTER_SECONDS', 'SESSION_REPLAY_WINDOW_SPAN_MS'] as const;

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]!]] : [])));
}

export interface PlatformOptions {
  /** Persist everything here; without it the platform runs in memory (tests). */
  dataDir?: string;
  port?: number;
  host?: string;
  /** Let replay and proxy targets be loopback addresses (never private or link-local ones). */
  allowLoopbackTargets?: boolean;
  /** Override the catalogue's sweeper interval (seconds), e.g. in tests. */
  sweepIntervalSeconds?: number;
  /** Start the HTTP gateway, SQS pollers and sweeper; `false` gives only the emulators (integration tests). */
  serve?: boolean;
  /**
   * Told once, in one line, when an emulator died and could not be restarted
   * (the caller should stop the platform). @default said through `log`
   */
  onFatal?: (message: string) => void;
  /** Where the platform tells what happens to its emulators (an exit, a restart). @default stderr */
  log?: (line: string) => void;
}

/** What `endpoints.json` holds: where to point the AWS SDK or CLI at the local services. */
export interface EndpointsFile {
  region: string;
  api?: string;
  dynamodb: string;
  sqs: string;
  s3: string;
  scheduler: string;
  tables: Record<string, string>;
  buckets: ProvisionedResources['buckets'];
  queues: Record<string, string>;
}

export interface Platform {
  endpoints: EndpointsFile;
  /** Every variable any function gets (each function gets only its own; integration tests load handlers with all of them). */
  environment: Record<string, string>;
  scheduler: SchedulerStandIn;
  /** Where the functions run (`serve` only): another gateway may share them (benchmarks). */
  functions?: FunctionHost;
  /** The process ids of the emulators running now (they change when one is restarted). */
  processes(): { dynamodb: number | undefined; sqs: number | undefined; s3: number | undefined };
  stop(): Promise<void>;
}

/**
 * The whole platform on one machine: DynamoDB Local, fauxqs for SQS and for
 * S3 (each a child process, restarted on its port if it dies), the scheduler
 * stand-in, and — unless `serve: false` — the HTTP gateway, the SQS pollers
 * and the sweeper, all running the handler modules Lambda runs, each function
 * in a worker of its own with exactly the environment the stack gives it
 * (plus the standard `AWS_ENDPOINT_URL_*` variables). This process's own
 * environment gets every variable (`environment`), for tools and tests.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const { dataDir } = options;
  const log = options.log ?? ((line: string) => console.error(`Reprise: ${line}`));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => console.error('stop failed', error));
  };

  // Before anything is started: a port that is taken must leave no emulator behind.
  const serving = options.serve !== false;
  if (serving && options.port) await assertPortFree(options.port, options.host ?? '127.0.0.1');

  try {
    let fatalSaid = false;
    const hooks = {
      restored: async () => {
        await provision(localEndpoints(), detachedRoutes.map(routeQueueSettings));
      },
      fatal: (message: string) => {
        if (fatalSaid) return;
        fatalSaid = true;
        if (options.onFatal) options.onFatal(message);
        else log(message);
      },
      log,
    };
    // The same ports as last time where they are free, so endpoints.json stays valid across restarts.
    const portsFile = dataDir ? join(dataDir, 'ports.json') : undefined;
    const ports = portsFile ? await rememberedPorts(portsFile, ['dynamodb', 'sqs', 's3'] as const) : {};
    const at = (restartPort: number | undefined, remembered: number | undefined) => {
      const port = restartPort ?? remembered;
      return port ? { port } : {};
    };
    const within = (name: string) => (dataDir ? { dataDir: join(dataDir, name) } : {});
    // Only this platform consumes the workers' queues: what was in flight when it last stopped is free now
    // (at its start only: after a restart of the emulator alone, the workers holding messages are still at work).
    const releaseInFlight = workers.map((worker) => queues[worker.queue].localName);
    // Each emulator in a process of its own (none blocks another, nor the handlers), restarted on its port if it dies.
    const started = await Promise.allSettled([
      superviseEmulator('DynamoDB Local', (port) => startDynamoDbLocal({ ...within('dynamodb'), ...at(port, ports.dynamodb) }), hooks),
      superviseEmulator('the SQS emulator (fauxqs)', (port) => startFauxqsProcess({ ...within('sqs'), ...at(port, ports.sqs), ...(port ? {} : { releaseInFlight }) }), hooks),
      superviseEmulator('the S3 emulator (fauxqs)', (port) => startFauxqsProcess({ ...within('s3'), ...at(port, ports.s3) }), hooks),
    ]);
    for (const result of started) if (result.status === 'fulfilled') stops.push(() => result.value.stop());
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [dynamodb, sqsServer, s3Server] = started.map((result) => (result as PromiseFulfilledResult<SupervisedEmulator>).value) as [
      SupervisedEmulator,
      SupervisedEmulator,
      SupervisedEmulator,
    ];
    const localEndpoints = () => ({
      region: LOCAL_REGION,
      dynamodb: dynamodb.current().endpoint,
      sqs: sqsServer.current().endpoint,
      s3: s3Server.current().endpoint,
      scheduler: '',
    });

    if (portsFile) rememberPorts(portsFile, { dynamodb: dynamodb.current().port, sqs: sqsServer.current().port, s3: s3Server.current().port });

    const sqsEndpoint = sqsServer.current().endpoint;
    const s3Endpoint = s3Server.current().endpoint;
    const dynamoDbEndpoint = dynamodb.current().endpoint;
    const resources = await provision(localEndpoints(), detachedRoutes.map(routeQueueSettings));
    const routeEnv = routesEnvValue(detachedRoutes, (route) => resources.queues[routeQueueName(route)]);
    const urlOfArn = new Map(Object.entries(resources.queueArns).map(([name, arn]) => [arn, resources.queues[name]!]));

    const scheduler = await startSchedulerStandIn({
      ...(dataDir ? { stateFile: join(dataDir, 'scheduler', 'schedules.json') } : {}),
      sqs: { region: LOCAL_REGION, endpoint: sqsEndpoint, credentials: localCredentials },
      queueUrlOfArn: (arn) => urlOfArn.get(arn),
    });
    stops.push(() => scheduler.stop());

    const targetQueue = queues[scheduling.targetQueue].localName;
    const signingKeyEnv = secrets.reportSigningKey.localValueEnvName;
    const providersEnv = secrets.providers.localValueEnvName;
    // What every function gets, as Lambda gives every function its region, credentials and settings.
    const common: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
      // Scopes Powertools' per-invocation state, as on Lambda's multi-concurrency runtime.
      AWS_LAMBDA_MAX_CONCURRENCY: '64',
      POWERTOOLS_SERVICE_NAME: 'reprise',
      POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
      ...(process.env.POWERTOOLS_LOG_LEVEL ? { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL } : {}),
      REPRISE_ALLOW_LOOPBACK_TARGETS: options.allowLoopbackTargets ? 'true' : 'false',
      // The local platform's own tuning settings, passed on when set (see the README's settings table).
      ...pick(process.env, LOCAL_SETTINGS),
    };
    // Each resource's variable; a function gets those its catalogue entry uses (function-environment.ts).
    const resourceValues: Record<string, string> = {
      [signingKeyEnv]: process.env[signingKeyEnv] || localSigningKey(dataDir),
      [providersEnv]: localProviders(dataDir),
      [DETACHED_ROUTES_ENV]: JSON.stringify(routeEnv),
      [scheduling.env.groupName]: scheduling.groupName,
      [scheduling.env.roleArn]: `arn:aws:iam::${LOCAL_ACCOUNT}:role/reprise-scheduler`,
      [scheduling.env.targetArn]: resources.queueArns[targetQueue]!,
      [scheduling.env.deadLetterArn]: resources.queueArns[dlqName(targetQueue)]!,
      ...resourceEnvironment(resources),
    };
    const environment = { ...common, ...resourceValues };
    // The platform's own process (and handlers run in it by integration tests) sees all of it.
    Object.assign(process.env, environment);

    const endpoints: EndpointsFile = {
      region: LOCAL_REGION,
      dynamodb: dynamoDbEndpoint,
      sqs: sqsEndpoint,
      s3: s3Endpoint,
      scheduler: scheduler.endpoint,
      tables: resources.tables,
      buckets: resources.buckets,
      queues: resources.queues,
    };

    let functions: FunctionHost | undefined;
    if (options.serve !== false) {
      // Each function in a worker of its own, with the environment the stack gives it and nothing else.
      const host = createIsolatedHost((spec) => functionEnvironment(spec, common, resourceValues));
      functions = host;
      stops.push(() => host.stop());
      const gateway = await startHttpGateway({ port: options.port ?? 3000, host: options.host ?? '127.0.0.1', functions: host });
      stops.push(() => gateway.stop());
      endpoints.api = gateway.url;

      const pollers = startSqsPollers(
        workers.map((worker) => {
          const name = queues[worker.queue].localName;
          return { function: worker, queueUrl: resources.queues[name]!, queueArn: resources.queueArns[name]!, batchSize: worker.batchSize, maxConcurrency: worker.maxConcurrency };
        }),
        { region: LOCAL_REGION, endpoint: sqsEndpoint, credentials: localCredentials },
        host,
      );
      stops.push(() => pollers.stop());

      // At start too, not only every N minutes: restarts closer together than that would otherwise never sweep.
      const timers = scheduled.map((spec) => {
        const run = () => void host.invoke(spec, { source: 'aws.events', 'detail-type': 'Scheduled Event' }).catch((error: unknown) => console.error(`${spec.entry} failed`, error));
        run();
        return setInterval(run, (options.sweepIntervalSeconds ?? spec.everyMinutes * 60) * 1000);
      });
      stops.push(async () => timers.forEach(clearInterval));
    }

    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
    }
    const processes = () => ({ dynamodb: dynamodb.current().pid, sqs: sqsServer.current().pid, s3: s3Server.current().pid });
    return { endpoints, environment, scheduler, processes, stop, ...(functions ? { functions } : {}) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The model providers of full-fidelity runs, read once at start: the
 * `REPRISE_PROVIDERS` variable (a JSON document) if set, else
 * `DATA_DIR/providers.json`, else none. Checked here, so a mistake stops the
 * start with its place named rather than failing runs later.
 */
function localProviders(dataDir: string | undefined): string {
  const fromEnv = process.env[secrets.providers.localValueEnvName];
  const file = dataDir ? join(dataDir, 'providers.json') : undefined;
  const [text, source] = fromEnv ? [fromEnv, secrets.providers.localValueEnvName] : file && existsSync(file) ? [readFileSync(file, 'utf8'), file] : ['{}', 'none'];
  parseProviderConfig(text, source);
  return text;
}

/**
 * The key replay reports are signed with locally: generated on first start
 * and kept under DATA_DIR (owner-only), so digests stay verifiable across
 * restarts; a fresh one per run of the in-memory platform.
 */
function localSigningKey(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('hex');
  const file = join(dataDir, 'report-signing-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
