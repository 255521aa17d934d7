import cdkConfig from '../cdk.json' with { type: 'json' };
import type { QueueSpec } from './catalogue.ts';

/**
 * What one deployment chooses, read from cdk.json: today the detached replay
 * routes (`context["reprise:routes"]`). Only the CDK app and the local
 * platform import this module; functions never do (a cdk.json edit must not
 * change their bundles). They get the routes through `DETACHED_ROUTES_ENV`.
 */

/**
 * A detached replay route: a name users replay to, and the queue behind it —
 * one the stack creates (with a DLQ and an alarm) or an existing one by ARN.
 */
export interface DetachedRouteSpec {
  readonly name: string;
  readonly description?: string;
  /** `"create"`: the stack creates the queue. Otherwise `queueArn` names an existing one. */
  readonly queue?: 'create';
  readonly queueArn?: string;
  /** Ids (`prj_…`, from `npm run api-key -- projects`) of the projects allowed to replay to this route; all when absent. */
  readonly projects?: readonly string[];
  /** For created queues. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** For created queues. @default 5 */
  readonly maxReceiveCount?: number;
}

const ROUTE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/;

export const detachedRoutes: readonly DetachedRouteSpec[] = readRoutes(cdkConfig.context['reprise:routes']);

/** Queue name of a route on the local platform (the ARN's last part for imported ones). */
export function routeQueueName(route: DetachedRouteSpec): string {
  return route.queueArn ? route.queueArn.split(':').at(-1)! : `reprise-route-${route.name}`;
}

/** The settings of a queue the stack (and the local platform) creates for a route. */
export function routeQueueSettings(route: DetachedRouteSpec): Pick<QueueSpec, 'localName' | 'visibilityTimeoutSeconds' | 'maxReceiveCount' | 'retentionDays'> {
  return { localName: routeQueueName(route), visibilityTimeoutSeconds: route.visibilityTimeoutSeconds ?? 60, maxReceiveCount: route.maxReceiveCount ?? 5, retentionDays: 4 };
}

/** The value of DETACHED_ROUTES_ENV for these routes, given each one's queue URL. */
export function routesEnvValue<Url>(routes: readonly DetachedRouteSpec[], queueUrlOf: (route: DetachedRouteSpec) => Url) {
  return Object.fromEntries(routes.map((route) => [route.name, { queue_url: queueUrlOf(route), ...(route.projects ? { projects: route.projects } : {}) }]));
}

/** The construct id of a route's queue in the stack: `example-ingest` → `RouteExampleIngest`. */
export function routeConstructId(name: string): string {
  return `Route${name
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}`;
}

/**
 * Refuses routes whose queues would get the same construct id (`a-b` and
 * `a_b` are both `RouteAB`): CDK would fail with a bare "already a construct
 * with name" naming neither route.
 */
export function assertDistinctConstructIds(routes: readonly Pick<DetachedRouteSpec, 'name'>[]): void {
  const byId = new Map<string, string>();
  for (const route of routes) {
    const id = routeConstructId(route.name);
    const other = byId.get(id);
    if (other !== undefined) {
      throw new Error(`Detached replay routes "${other}" and "${route.name}" cannot both exist: their queues would share the construct id ${id}. Rename one of them.`);
    }
    byId.set(id, route.name);
  }
}

/** Validates `context["reprise:routes"]`, naming the entry at fault. */
export function readRoutes(config: unknown): DetachedRouteSpec[] {
  if (!Array.isArray(config)) throw new Error('cdk.json context "reprise:routes" must be a list of routes');
  const names = new Set<string>();
  const routes = config.map((raw: DetachedRouteSpec, i) => {
    const where = `cdk.json "reprise:routes"[${i}]`;
    if (typeof raw?.name !== 'string' || !ROUTE_NAME.test(raw.name)) throw new Error(`${where}: name must be 1-64 of a-z 0-9 _ -`);
    if (names.has(raw.name)) throw new Error(`${where}: route ${raw.name} is defined twice`);
    names.add(raw.name);
    if ((raw.queue === 'create') === Boolean(raw.queueArn)) throw new Error(`${where}: give either "queue": "create" or a "queueArn"`);
    if (raw.queueArn && !QUEUE_ARN.test(raw.queueArn)) throw new Error(`${where}: queueArn is not an SQS queue ARN`);
    if (raw.queueArn?.endsWith('.fifo')) throw new Error(`${where}: FIFO queues are not supported (messages carry no group id)`);
    // Names are unique only within an org: a route open to a name would be open to every org that picks it.
    const badProject = raw.projects?.find((project) => typeof project !== 'string' || !/^prj_[0-9a-z]{26}$/.test(project));
    if (badProject !== undefined) throw new Error(`${where}: projects must be project ids (prj_…, see \`npm run api-key -- projects --org <org>\`), not ${JSON.stringify(badProject)}`);
    return raw;
  });
  assertDistinctConstructIds(routes);
  return routes;
}
