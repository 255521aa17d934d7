import type { Template } from 'aws-cdk-lib/assertions';
import { envNamesOf as catalogueEnvNamesOf, type Access, type BucketId, type FunctionSpec, type QueueId, type SecretId, type TableId } from '../../lib/catalogue.ts';
import { pascal, type Catalogue } from '../../lib/cdk/catalogue-input.ts';

// Template JSON is untyped by nature.
export type Properties = Record<string, any>;
export interface Resource {
  readonly Type: string;
  readonly Properties: Properties;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Properties;
}

/** Reads the synthesized template by catalogue names instead of hashed logical ids. */
export function queries(template: Template) {
  const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];

  /** The only resource of `type` whose logical id starts with `prefix` (ids are the construct path plus a hash). */
  const byPrefix = (type: string, prefix: string): [string, Resource] => {
    const found = resources(type).filter(([id]) => id.startsWith(prefix));
    if (found.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${found.length}`);
    return found[0]!;
  };

  /** Functions carry their catalogue entry as their description. */
  const fn = (spec: FunctionSpec | string): [string, Resource] => {
    const entry = typeof spec === 'string' ? spec : spec.entry;
    const found = resources('AWS::Lambda::Function').filter(([, f]) => f.Properties.Description === entry);
    if (found.length !== 1) throw new Error(`expected one function for ${entry}, found ${found.length}`);
    return found[0]!;
  };

  const roleIdOf = (functionId: string): string => {
    const [, f] = resources('AWS::Lambda::Function').find(([id]) => id === functionId)!;
    return f.Properties.Role['Fn::GetAtt'][0];
  };

  /** Every statement of every policy attached to the role. */
  const statementsOfRole = (roleId: string): Statement[] =>
    resources('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);

  return {
    resources,
    byPrefix,
    fn,
    roleIdOf,
    statementsOfRole,
    statementsOf: (spec: FunctionSpec | string) => statementsOfRole(roleIdOf(fn(spec)[0])),
    tableId: (id: TableId) => byPrefix('AWS::DynamoDB::Table', `Data${pascal(id)}Table`)[0],
    bucketId: (id: BucketId) => byPrefix('AWS::S3::Bucket', `Data${pascal(id)}Bucket`)[0],
    secretId: (id: SecretId) => byPrefix('AWS::SecretsManager::Secret', `Data${pascal(id)}Secret`)[0],
    queueId: (id: QueueId) => byPrefix('AWS::SQS::Queue', `Queues${pascal(id)}Queue`)[0],
    dlqId: (id: QueueId) => byPrefix('AWS::SQS::Queue', `Queues${pascal(id)}Dlq`)[0],
  };
}

export const actionsOf = (statements: readonly Statement[]): string[] => statements.flatMap((s) => [s.Action].flat());

/** Whether a statement's resources mention the logical id (`Fn::GetAtt`, `Ref` or inside `Fn::Join`). */
export const mentions = (statement: Statement, logicalId: string): boolean => JSON.stringify(statement.Resource).includes(`"${logicalId}"`);

/** Every function the catalogue describes, once (routes naming the same module share its function). */
export function allFunctions(catalogue: Catalogue): FunctionSpec[] {
  const specs = [catalogue.authorizer, ...catalogue.routes, catalogue.fallbackRoute, ...catalogue.workers, ...catalogue.scheduled];
  return specs.filter((spec, i) => specs.findIndex((other) => other.entry === spec.entry) === i);
}

/** The environment variables the stack gives a function for one of its accesses (lib/cdk/constructs/access.ts). */
export function envNamesOf(catalogue: Catalogue, access: Access): string[] {
  return catalogueEnvNamesOf(access, catalogue);
}
