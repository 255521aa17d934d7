import { Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DETACHED_ROUTES_ENV, type Access, type BucketId, type QueueId, type SecretId, type TableId } from '../../catalogue.ts';
import { routesEnvValue } from '../../deployment-config.ts';
import type { Catalogue } from '../catalogue-input.ts';

/** What `{ scheduler: 'manage' }` resolves against. */
export interface SchedulingResources {
  /** The group one-time schedules are created in. */
  readonly group: IScheduleGroup;
  /** The role EventBridge Scheduler assumes to deliver them; managers pass it. */
  readonly role: IRole;
  /** Where due schedules deliver. */
  readonly targetQueue: IQueue;
  /** Where EventBridge Scheduler puts a delivery it gave up on. */
  readonly deadLetterQueue: IQueue;
}

/**
 * The built resources a catalogue `Access` can name, with the catalogue that
 * names their env vars. The root stack answers with the resources it owns; a
 * nested stack of functions with imports of them (`ImportedResources`), so a
 * grant never reaches into another stack.
 */
export interface CatalogueResources {
  readonly catalogue: Pick<Catalogue, 'tables' | 'queues' | 'buckets' | 'secrets' | 'scheduling' | 'detachedRoutes'>;
  table(id: TableId): ITable;
  queue(id: QueueId): IQueue;
  bucket(id: BucketId): IBucket;
  secret(id: SecretId): ISecret;
  scheduling(): SchedulingResources;
  /** The queue behind a detached replay route, by name. */
  routeQueue(name: string): IQueue;
}

/**
 * Gives a function one thing its catalogue entry says it uses: a least
 * privilege `grant*` and the env var that names the resource, always together.
 * Wildcards those grants necessarily contain (a table's `/index/*`, a bucket's
 * objects, schedules named at run time) are acknowledged for cdk-nag on this
 * function's role only, finding by finding, so a wildcard from anywhere else
 * still fails synth.
 */
export function bindAccess(fn: LambdaFunction, access: Access, resources: CatalogueResources): void {
  const { catalogue } = resources;
  if ('table' in access) {
    const table = resources.table(access.table);
    fn.addEnvironment(catalogue.tables[access.table].envName, table.tableName);
    if (access.mode === 'probe') {
      // The table itself, not its indexes (`table.grant` would add `/index/*`).
      Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:DescribeTable'], resourceArns: [table.tableArn] });
      return;
    }
    const grantName = access.mode === 'read' ? 'grantReadData' : 'grantReadWriteData';
    const grant = table[grantName](fn);
    acknowledgeWildcards(fn, grant, `${grantName} on the ${access.table} table: /index/* is that table's own indexes, which its queries use.`);
  } else if ('queue' in access) {
    const queue = resources.queue(access.queue);
    if (access.mode === 'probe') queue.grant(fn, 'sqs:GetQueueAttributes');
    else if (access.mode === 'send') queue.grantSendMessages(fn);
    else queue.grantConsumeMessages(fn);
    fn.addEnvironment(catalogue.queues[access.queue].envName, queue.queueUrl);
  } else if ('bucket' in access) {
    const bucket = resources.bucket(access.bucket);
    if (access.mode === 'probe') {
      Grant.addToPrincipal({ grantee: fn, actions: ['s3:ListBucket'], resourceArns: [bucket.bucketArn] });
      fn.addEnvironment(catalogue.buckets[access.bucket].envName, bucket.bucketName);
      return;
    }
    // `write` is grantPut: objects are added, never deleted, so no s3:DeleteObject*.
    const grantName = ({ read: 'grantRead', write: 'grantPut', readWrite: 'grantReadWrite' } as const)[access.mode];
    const grant = bucket[grantName](fn);
    fn.addEnvironment(catalogue.buckets[access.bucket].envName, bucket.bucketName);
    acknowledgeWildcards(
      fn,
      grant,
      `${grantName} on the ${access.bucket} bucket: /* is its objects, whose keys are known only at run time, and the action wildcards are CDK's object-level action sets for ${grantName}.`,
    );
  } else if ('secret' in access) {
    const secret = resources.secret(access.secret);
    // The ARN, not the value: functions read it at run time (cached), so it never sits in the configuration.
    secret.grantRead(fn);
    fn.addEnvironment(catalogue.secrets[access.secret].envName, secret.secretArn);
  } else if ('scheduler' in access) {
    const { group, role, targetQueue, deadLetterQueue } = resources.scheduling();
    const manage = Grant.addToPrincipal({
      grantee: fn,
      actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
      resourceArns: [Stack.of(fn).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${group.scheduleGroupName}/*` })],
    });
    role.grantPassRole(fn.grantPrincipal);
    const env = catalogue.scheduling.env;
    fn.addEnvironment(env.groupName, group.scheduleGroupName);
    fn.addEnvironment(env.roleArn, role.roleArn);
    fn.addEnvironment(env.targetArn, targetQueue.queueArn);
    fn.addEnvironment(env.deadLetterArn, deadLetterQueue.queueArn);
    acknowledgeWildcards(fn, manage, 'One-time schedules are named per run at run time; Create/Get/DeleteSchedule are limited to schedules in the Reprise schedule group.');
  } else if ('routes' in access) {
    // Exactly the configured routes' queues; their URLs reach the function as one JSON env var.
    const queues = new Map(catalogue.detachedRoutes.map((route) => [route.name, resources.routeQueue(route.name)]));
    for (const queue of queues.values()) queue.grantSendMessages(fn);
    const routes = routesEnvValue(catalogue.detachedRoutes, (route) => queues.get(route.name)!.queueUrl);
    fn.addEnvironment(DETACHED_ROUTES_ENV, Stack.of(fn).toJsonString(routes));
  } else {
    // A new kind of Access must get its grant and env var here: this stops tsc until it does.
    const unhandled: never = access;
    throw new Error(`No grant for access ${JSON.stringify(unhandled)}`);
  }
}

/** Acknowledges, on the function's role, exactly the AwsSolutions-IAM5 findings this grant's statements raise. */
function acknowledgeWildcards(fn: LambdaFunction, grant: Grant, reason: string): void {
  if (!fn.role) return;
  const stack = Stack.of(fn);
  const findings = new Set<string>();
  for (const statement of grant.principalStatements) {
    const json = stack.resolve(statement.toStatementJson()) as { Action?: string | string[]; Resource?: unknown };
    for (const action of [json.Action ?? []].flat()) if (action.includes('*')) findings.add(`Action::${action}`);
    for (const resource of [json.Resource ?? []].flat()) {
      const flat = flattenReference(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  for (const finding of findings) Validations.of(fn.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/**
 * The finding text cdk-nag's IAM5 derives from a resolved resource
 * (`{"Fn::GetAtt": ["T", "Arn"]}` → `<T.Arn>`), so acknowledgements name the
 * finding exactly; test/infra proves the two agree.
 */
function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, unknown>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (value['Fn::Sub']) return flattenReference(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flattenReference(value['Fn::ImportValue']);
  if (value.Ref) return `<${flattenReference(value.Ref)}>`;
  return JSON.stringify(node);
}
