import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { authorizer, queues, routes, scheduled, tables, workers } from '../../lib/catalogue.ts';
import { functionId } from '../../lib/cdk/reprise-stack.ts';
import { synthesize } from './synth.ts';

const { app, template } = synthesize();
type Resource = { Type: string; Properties: Record<string, any> };
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalIdOf = (entry: string, type = 'AWS::Lambda::Function') =>
  resources(type).find(([id]) => id.startsWith(functionId(entry)) && !id.includes('Logs') && !id.includes('Role'))?.[0];
const policyOf = (entry: string) => {
  const [, policy] = resources('AWS::IAM::Policy').find(([id]) => id.startsWith(`${functionId(entry)}RoleDefaultPolicy`)) ?? [];
  return (policy?.Properties.PolicyDocument.Statement ?? []) as { Action: string | string[]; Resource: unknown }[];
};
const actionsOf = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => [s.Action].flat());

describe('the HTTP API', () => {
  it('has one route per catalogue route, with the authorizer exactly on auth routes, and a $default route', () => {
    const byKey = new Map(resources('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties]));
    expect(byKey.size).toBe(routes.length + 1);
    for (const route of routes) {
      const found = byKey.get(`${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      expect(found?.AuthorizationType ?? 'NONE').toBe(route.auth ? 'CUSTOM' : 'NONE');
    }
    expect(byKey.get('$default')?.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('uses a Lambda authorizer with simple responses, no identity source and no cache', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const [[, auth]] = resources('AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    expect(auth.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(auth.Properties.IdentitySource ?? []).toEqual([]);
  });

  it('logs access on its stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('functions', () => {
  const functions = resources('AWS::Lambda::Function');

  it('run Node 24 on ARM64 with JSON logs in their own log group', () => {
    expect(functions.length).toBe(routes.length + workers.length + scheduled.length + 2);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig, id).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: expect.stringContaining('Logs') } });
    }
  });

  it('have no AWS managed policies', () => {
    for (const [id, role] of resources('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
  });

  it('get the env var of exactly the resources they use', () => {
    const post = functions.find(([id]) => id === logicalIdOf('functions/http/ledger/post-result.ts'))![1];
    const auth = functions.find(([id]) => id === logicalIdOf(authorizer.entry))![1];
    expect(Object.keys(post.Properties.Environment.Variables)).toContain(tables.ledger.envName);
    expect(Object.keys(post.Properties.Environment.Variables)).not.toContain(tables.apiKeys.envName);
    expect(Object.keys(auth.Properties.Environment.Variables)).toContain(tables.apiKeys.envName);
    expect(Object.keys(auth.Properties.Environment.Variables)).not.toContain(tables.ledger.envName);
  });

  it('are granted least privilege from the catalogue', () => {
    const post = policyOf('functions/http/ledger/post-result.ts');
    const stats = policyOf('functions/http/ledger/get-stats.ts');
    const auth = policyOf(authorizer.entry);
    const tableRef = (id: string) => JSON.stringify(post.concat(stats, auth)).includes(id);
    const ledgerTable = resources('AWS::DynamoDB::Table').find(([id]) => id.includes('Ledger'))![0];
    const keysTable = resources('AWS::DynamoDB::Table').find(([id]) => id.includes('ApiKeys'))![0];
    expect(tableRef(ledgerTable) && tableRef(keysTable)).toBe(true);

    expect(actionsOf(post)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
    expect(JSON.stringify(post)).toContain(ledgerTable);
    expect(JSON.stringify(post)).not.toContain(keysTable);

    expect(actionsOf(stats)).not.toContain('dynamodb:PutItem');
    expect(actionsOf(stats)).toContain('dynamodb:GetItem');

    expect(JSON.stringify(auth)).toContain(keysTable);
    expect(JSON.stringify(auth)).not.toContain(ledgerTable);
    expect(actionsOf(auth).filter((a) => a.startsWith('dynamodb:') && /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(actionsOf(auth).filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:'))).toEqual([]);
  });
});

describe('data', () => {
  it('has one on-demand table per catalogue table, with point-in-time recovery, keys and TTL', () => {
    const found = resources('AWS::DynamoDB::Table');
    expect(found.length).toBe(Object.keys(tables).length);
    for (const spec of Object.values(tables)) {
      const keySchema = [
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        ...('sortKey' in spec ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' }] : []),
      ];
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: keySchema,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        ...('ttlAttribute' in spec ? { TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true } } : {}),
      });
    }
  });

  it('keeps every bucket encrypted, versioned, private and TLS-only', () => {
    const buckets = resources('AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(3);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption, id).toBeDefined();
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const sslDenials = resources('AWS::S3::BucketPolicy').filter(([, policy]) =>
      policy.Properties.PolicyDocument.Statement.some(
        (s: { Effect: string; Condition?: { Bool?: Record<string, string> } }) =>
          s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    expect(sslDenials.length).toBe(buckets.length);
  });
});

describe('queues and workers', () => {
  it('give every catalogue queue a DLQ with its maxReceiveCount and an alarm on the DLQ', () => {
    for (const spec of Object.values(queues)) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: spec.maxReceiveCount },
        SqsManagedSseEnabled: true,
      });
    }
    const alarms = resources('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(alarms.length).toBe(Object.keys(queues).length);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
  });

  it('report partial batch failures on every SQS event source', () => {
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBe(workers.length);
    for (const [, mapping] of mappings) expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it("give each worker's queue a visibility timeout of at least 6 × the worker's timeout", () => {
    for (const worker of workers) {
      expect(queues[worker.queue].visibilityTimeoutSeconds, worker.entry).toBeGreaterThanOrEqual(6 * worker.timeoutSeconds);
    }
  });
});

describe('scheduling', () => {
  it('lets EventBridge Scheduler send to the run queue (and its DLQ) and do nothing else', () => {
    const [[roleId]] = resources('AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    ) as [[string, Resource]];
    const policies = resources('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(actionsOf(statements).every((a) => a.startsWith('sqs:'))).toBe(true);
    expect(actionsOf(statements)).toContain('sqs:SendMessage');
    expect(actionsOf(statements).filter((a) => /Receive|Delete|Purge|\*/.test(a))).toEqual([]);
    const resourcesNamed = JSON.stringify(statements.map((s: { Resource: unknown }) => s.Resource));
    expect(resourcesNamed).toMatch(/QueuesRunsQueue/);
  });

  it('has a schedule group and a rate rule per scheduled function', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const rules = resources('AWS::Events::Rule');
    expect(rules.map(([, r]) => r.Properties.ScheduleExpression).sort()).toEqual(scheduled.map((s) => `rate(${s.everyMinutes} minutes)`).sort());
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AwsSolutions pack', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
