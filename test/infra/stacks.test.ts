import { App, CfnParameter, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { cloudFormationLimits, enforceCloudFormationLimits, templateCounts } from '../../lib/cdk/cloudformation-limits.ts';
import { synthesize } from './synth.ts';
import { countsOf, expectWithinBudget } from './stack-templates.ts';
import { allFunctions, queries } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same templates.
const { stack, stacks, template, stackOf } = synthesize();
const q = queries(template);
const root = 'Reprise';

/** Where each capability's functions are built: the directory of the handler → the nested stack. */
const expectedStack: Record<string, string> = {
  'functions/http/platform': 'PlatformFunctions',
  'functions/http/account': 'PlatformFunctions',
  'functions/http/page': 'PlatformFunctions',
  'functions/http/ledger': 'LedgerFunctions',
  'functions/http/replay-runs': 'ReplayRunsFunctions',
  'functions/http/detached-replay': 'DetachedReplayFunctions',
  'functions/http/session-replay': 'SessionReplayFunctions',
  'functions/http/proxy': 'SessionReplayFunctions',
  'functions/http/reproducibility': 'ReproducibilityFunctions',
  'functions/workers': 'WorkerFunctions',
};
const nestedResourceIds = new Set(q.resources('AWS::CloudFormation::Stack').map(([id]) => id));

describe('the stacks', () => {
  it('are the root and one nested stack per capability, plus the workers', () => {
    expect(stacks.map((s) => s.path).sort()).toEqual([root, ...new Set(Object.values(expectedStack).map((id) => `${root}/${id}`))].sort());
  });

  it(`each stay within the budget (≤ 400 resources, ≤ 150 parameters, ≤ 150 outputs), well under CloudFormation's 500 / 200 / 200`, () => {
    expectWithinBudget(stacks);
  });

  it('are counted at synth as their templates count them, so an oversized stack fails `cdk synth`', () => {
    for (const { path, stack: built, json } of stacks) expect(templateCounts(built), path).toEqual(countsOf(json));
  });

  it('keep what is stateful or shared in the root: data, queues and alarms, the API with its routes, authorizer and stage, scheduling, the sweeper rule', () => {
    const rootTypes = [
      'AWS::DynamoDB::Table',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::SecretsManager::Secret',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
      'AWS::CloudWatch::Alarm',
      'AWS::SNS::Topic',
      'AWS::KMS::Key',
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Stage',
      'AWS::ApiGatewayV2::Authorizer',
      'AWS::ApiGatewayV2::Route',
      'AWS::Scheduler::ScheduleGroup',
      'AWS::Events::Rule',
    ];
    for (const type of rootTypes) {
      const found = q.resources(type);
      expect(found.length, type).toBeGreaterThan(0);
      for (const [id] of found) expect(stackOf.get(id), `${type} ${id}`).toBe(root);
    }
    expect(stackOf.get(q.fn(catalogue.authorizer)[0]), 'the authorizer').toBe(root);
  });

  it("build every other function in its capability's nested stack, with its role, policy, log group and integration or event source", () => {
    const integrations = q.resources('AWS::ApiGatewayV2::Integration');
    const mappings = q.resources('AWS::Lambda::EventSourceMapping');
    for (const spec of allFunctions(catalogue).filter((s) => s !== catalogue.authorizer)) {
      const [functionId, fn] = q.fn(spec);
      const directory = spec.entry.slice(0, spec.entry.lastIndexOf('/'));
      const expected = `${root}/${expectedStack[directory]}`;
      const roleId = q.roleIdOf(functionId);
      const policyIds = q
        .resources('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .map(([id]) => id);
      const integrationIds = integrations.filter(([, i]) => i.Properties.IntegrationUri['Fn::GetAtt']?.[0] === functionId).map(([id]) => id);
      const mappingIds = mappings.filter(([, m]) => m.Properties.FunctionName.Ref === functionId).map(([id]) => id);
      expect(policyIds.length, spec.entry).toBeGreaterThan(0);
      // One integration per function, however many routes it answers; one event source per worker.
      expect(integrationIds.length, spec.entry).toBe(catalogue.routes.some((r) => r.entry === spec.entry) || spec === catalogue.fallbackRoute ? 1 : 0);
      expect(mappingIds.length, spec.entry).toBe(catalogue.workers.some((w) => w.entry === spec.entry) ? 1 : 0);
      const own = [functionId, roleId, fn.Properties.LoggingConfig.LogGroup.Ref as string, ...policyIds, ...integrationIds, ...mappingIds];
      for (const id of own) expect(stackOf.get(id), `${spec.entry}: ${id}`).toBe(expected);
    }
  });

  it('pass each nested stack, as a named parameter, only what its functions use and the API id, and nothing by reference', () => {
    const named = /^(HttpApiId|SchedulerRoleArn|[A-Z][A-Za-z0-9]*(TableName|QueueArn|QueueUrl|DlqArn|BucketName|SecretArn))$/;
    for (const { path, json } of stacks.filter((s) => s.path !== root)) {
      const parameters = Object.keys(json.Parameters ?? {});
      expect(parameters.length, path).toBeGreaterThan(0);
      for (const name of parameters) {
        expect(name, path).toMatch(named);
        // Used by something in the stack: an unused parameter would be a grant or env var that went missing.
        const { [name]: _declared, ...rest } = json.Parameters;
        expect(JSON.stringify({ ...json, Parameters: rest }), `${path} ${name}`).toContain(`{"Ref":"${name}"}`);
      }
    }
  });

  it('let nothing in the root depend on a nested stack but routes on their integrations and rules on their functions, so no grant reaches back', () => {
    const readers = Object.entries(stacks[0]!.json.Resources as Record<string, { Type: string }>)
      .filter(([id]) => !nestedResourceIds.has(id))
      .filter(([, resource]) => [...nestedResourceIds].some((nestedId) => JSON.stringify(resource).includes(`"${nestedId}"`)))
      .map(([, resource]) => resource.Type);
    expect(new Set(readers)).toEqual(new Set(['AWS::ApiGatewayV2::Route', 'AWS::Events::Rule', 'AWS::Lambda::Permission']));
    // The permission is the sweeper rule's to invoke its function; every other permission sits with its function.
    expect(readers.filter((type) => type === 'AWS::Lambda::Permission')).toHaveLength(catalogue.scheduled.length);
  });

  it('keep every route at the construct path HttpApi.addRoutes gave it, so a stack deployed before the split updates its routes in place', () => {
    // API Gateway refuses a second route with a key it already has (409), which a route with a new logical id would be.
    const routePaths = stack.node
      .findAll()
      .filter((construct) => construct instanceof CfnRoute)
      .map((route) => route.node.path)
      .sort();
    expect(routePaths).toEqual(
      [...catalogue.routes.map((r) => `${root}/Api/HttpApi/${r.method}${r.path.replaceAll('/', '--')}/Resource`), `${root}/Api/FallbackRoute/Resource`].sort(),
    );
    expect(stack.node.findAll().some((c) => c.node.path === `${root}/Api/HttpApi/ApiKeyAuthorizer/Resource`)).toBe(true);
  });
});

describe('a stack over a CloudFormation limit', () => {
  it('fails synth naming the stack and the limit', () => {
    // Prepare
    const app = new App();
    const parent = new Stack(app, 'Probe');
    const nested = new NestedStack(parent, 'Crowded');
    for (let i = 0; i <= cloudFormationLimits.resources; i += 1) new CfnResource(nested, `Handle${i}`, { type: 'AWS::CloudFormation::WaitConditionHandle' });
    for (let i = 0; i <= cloudFormationLimits.parameters; i += 1) new CfnParameter(parent, `Parameter${i}`, { type: 'String' });
    for (const s of [parent, nested]) enforceCloudFormationLimits(s);

    // Act
    const failure = (() => {
      try {
        app.synth();
      } catch (error) {
        return String(error);
      }
      return 'synthesized';
    })();

    // Assess
    expect(failure).toMatch(/Probe\/Crowded has 501 resources, over CloudFormation's 500 per stack/);
    expect(failure).toMatch(/Probe has 20\d parameters, over CloudFormation's 200 per stack/);
  });
});
