import { dirname, basename } from 'node:path';
import type { FunctionSpec, RouteSpec, ScheduledSpec, WorkerSpec } from '../catalogue.ts';
import type { Catalogue } from './catalogue-input.ts';

/**
 * Which nested stack builds each catalogue function. A route's function goes
 * with its capability, the directory its handler lives in
 * (`functions/http/ledger/post-result.ts` → `LedgerFunctions`); the capabilities
 * too small for a stack of their own share one; every SQS worker and scheduled
 * function goes in `WorkerFunctions`. A handler directory nobody listed gets a
 * stack of its own, so a new capability needs no change here.
 *
 * The assignment is stable: it depends on nothing but the entry's directory,
 * so adding a route never moves another function to a different stack (which
 * would replace it). A capability that outgrows one stack (about 60 functions,
 * see the budget in test/infra/stacks.test.ts) moves some handlers into a
 * directory of their own.
 */
const sharedStacks: Readonly<Record<string, string>> = {
  // Health, the OpenAPI document, `$default`, `GET /api/v1/me` and the pages.
  platform: 'Platform',
  account: 'Platform',
  page: 'Platform',
  // The recording proxy is session replay's way in.
  proxy: 'SessionReplay',
};

/** The nested stack of every worker and scheduled function. */
export const workerStackId = 'WorkerFunctions';

/** The functions one nested stack builds. */
export interface FunctionGroup {
  /** Construct id of the nested stack. */
  readonly id: string;
  readonly routes: readonly RouteSpec[];
  /** The `$default` route's function, in the platform's stack. */
  readonly fallbackRoute?: FunctionSpec;
  readonly workers: readonly WorkerSpec[];
  readonly scheduled: readonly ScheduledSpec[];
}

/** `functions/http/replay-runs/create-run.ts` → `ReplayRunsFunctions`. */
export function routeStackId(entry: string): string {
  const directory = basename(dirname(entry));
  const capability = sharedStacks[directory] ?? directory.split(/[-_.]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
  return `${capability}Functions`;
}

/** The catalogue's functions (all but the authorizer, which stays with the API) by nested stack, in catalogue order. */
export function functionGroups(catalogue: Pick<Catalogue, 'routes' | 'fallbackRoute' | 'workers' | 'scheduled'>): FunctionGroup[] {
  const groups = new Map<string, { id: string; routes: RouteSpec[]; fallbackRoute?: FunctionSpec; workers: WorkerSpec[]; scheduled: ScheduledSpec[] }>();
  const group = (id: string) => {
    let found = groups.get(id);
    if (!found) groups.set(id, (found = { id, routes: [], workers: [], scheduled: [] }));
    return found;
  };
  for (const route of catalogue.routes) group(routeStackId(route.entry)).routes.push(route);
  group(routeStackId(catalogue.fallbackRoute.entry)).fallbackRoute = catalogue.fallbackRoute;
  for (const worker of catalogue.workers) group(workerStackId).workers.push(worker);
  for (const spec of catalogue.scheduled) group(workerStackId).scheduled.push(spec);
  return [...groups.values()];
}
