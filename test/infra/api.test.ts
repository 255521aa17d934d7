import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { synthesize } from './synth.ts';
import { queries } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same template.
const { template } = synthesize();
const q = queries(template);
const routes = q.resources('AWS::ApiGatewayV2::Route');
const routeByKey = new Map(routes.map(([, r]) => [r.Properties.RouteKey as string, r.Properties]));
const [authorizerId, authorizer] = q.resources('AWS::ApiGatewayV2::Authorizer')[0]!;

/** The function a route's integration invokes. */
function targetFunctionOf(routeKey: string): string {
  const target = routeByKey.get(routeKey)?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
  const integrationId = target['Fn::Join'][1][1].Ref;
  const [, integration] = q.resources('AWS::ApiGatewayV2::Integration').find(([id]) => id === integrationId)!;
  return integration.Properties.IntegrationUri['Fn::GetAtt'][0];
}

describe('the HTTP API', () => {
  it('has one route per catalogue route plus $default, and nothing else', () => {
    expect([...routeByKey.keys()].sort()).toEqual([...catalogue.routes.map((r) => `${r.method} ${r.path}`), '$default'].sort());
  });

  it('puts the Lambda authorizer on exactly the routes with auth: true', () => {
    for (const route of catalogue.routes) {
      const found = routeByKey.get(`${route.method} ${route.path}`)!;
      if (route.auth) {
        expect(found, `${route.method} ${route.path}`).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      } else {
        expect(found.AuthorizationType ?? 'NONE', `${route.method} ${route.path}`).toBe('NONE');
        expect(found.AuthorizerId).toBeUndefined();
      }
    }
    expect(routeByKey.get('$default')?.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('sends each route to the function of its catalogue entry, and $default to the fallback', () => {
    for (const route of catalogue.routes) {
      expect(targetFunctionOf(`${route.method} ${route.path}`), route.path).toBe(q.fn(route)[0]);
    }
    expect(targetFunctionOf('$default')).toBe(q.fn(catalogue.fallbackRoute)[0]);
  });

  it('has one integration per function, however many routes it answers (an HTTP API allows 300 integrations, a quota AWS does not raise)', () => {
    const functions = new Set([...catalogue.routes.map((r) => r.entry), catalogue.fallbackRoute.entry]);
    expect(q.resources('AWS::ApiGatewayV2::Integration').length).toBe(functions.size);
  });

  it("lets API Gateway invoke each route's function from that function's routes' paths only, and $default's from any", () => {
    const [apiId] = q.resources('AWS::ApiGatewayV2::Api')[0]!;
    const fromApiGateway = q.resources('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com');
    const sourcesOf = (entry: string) => {
      const [functionId] = q.fn(entry);
      return fromApiGateway
        .filter(([, p]) => p.Properties.FunctionName['Fn::GetAtt'][0] === functionId)
        .map(([, p]) => {
          const parts = p.Properties.SourceArn['Fn::Join'][1] as unknown[];
          expect(parts.at(-2), entry).toEqual({ Ref: apiId });
          return parts.at(-1);
        })
        .sort();
    };
    for (const entry of new Set(catalogue.routes.map((r) => r.entry))) {
      const paths = new Set(catalogue.routes.filter((r) => r.entry === entry).map((r) => `/*/*${r.path}`));
      expect(sourcesOf(entry), entry).toEqual([...paths].sort());
    }
    expect(sourcesOf(catalogue.fallbackRoute.entry)).toEqual(['/*/*']);
  });

  it('uses a REQUEST authorizer with simple responses, no identity source and no API Gateway cache', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(authorizer.Properties.IdentitySource ?? []).toEqual([]);
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(`"${q.fn(catalogue.authorizer)[0]}"`);
  });

  it('logs every request as JSON on its only stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const [, stage] = q.resources('AWS::ApiGatewayV2::Stage')[0]!;
    expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
    const [logGroupId] = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'];
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 90 } });
    expect(q.resources('AWS::Logs::LogGroup').some(([id]) => id === logGroupId)).toBe(true);
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  it('outputs its URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});
