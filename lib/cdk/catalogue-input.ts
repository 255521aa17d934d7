import * as repriseCatalogue from '../catalogue.ts';
import type {
  BucketId,
  BucketSpec,
  FunctionSpec,
  QueueId,
  QueueSpec,
  RouteSpec,
  ScheduledSpec,
  SecretId,
  SecretSpec,
  TableId,
  TableSpec,
  WorkerSpec,
} from '../catalogue.ts';
import { detachedRoutes, type DetachedRouteSpec } from '../deployment-config.ts';

/** Where one-time schedules live and where they deliver (`scheduling` in the catalogue). */
export interface SchedulingSpec {
  readonly groupName: string;
  readonly targetQueue: QueueId;
  /** Environment variables a `{ scheduler: 'manage' }` function gets. */
  readonly env: {
    readonly groupName: string;
    readonly roleArn: string;
    readonly targetArn: string;
    readonly deadLetterArn: string;
  };
}

/**
 * The catalogue as the stack reads it. The stack defaults to `lib/catalogue.ts`;
 * tests pass variants (a worker, an index, a bucket grant) to prove that the
 * next catalogue entry synthesizes as cleanly as the current ones.
 */
export interface Catalogue {
  readonly tables: Readonly<Record<TableId, TableSpec>>;
  readonly queues: Readonly<Record<QueueId, QueueSpec>>;
  readonly buckets: Readonly<Record<BucketId, BucketSpec>>;
  readonly secrets: Readonly<Record<SecretId, SecretSpec>>;
  readonly authorizer: FunctionSpec;
  readonly routes: readonly RouteSpec[];
  readonly fallbackRoute: FunctionSpec;
  readonly workers: readonly WorkerSpec[];
  readonly scheduled: readonly ScheduledSpec[];
  readonly scheduling: SchedulingSpec;
  /** Detached replay routes and their queues (from cdk.json, through `deployment-config.ts`). */
  readonly detachedRoutes: readonly DetachedRouteSpec[];
}

/** Reprise's own catalogue, typed as the stack reads it. */
export const catalogue: Catalogue = { ...repriseCatalogue, detachedRoutes };

/** The catalogue's keys with their own id type (`Object.keys` widens to `string`). */
export function idsOf<K extends string>(record: Readonly<Record<K, unknown>>): K[] {
  return Object.keys(record) as K[];
}

/** `functions/http/ledger/post-result.ts` → `HttpLedgerPostResult`: stable construct ids from catalogue entries. */
export function functionId(entry: string): string {
  return entry
    .replace(/^functions\//, '')
    .replace(/\.ts$/, '')
    .split(/[/_.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `apiKeys` → `ApiKeys`. */
export function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
