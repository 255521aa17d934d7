import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteSpec } from '../../catalogue.ts';
import type { RepriseFunction } from './reprise-function.ts';

export interface ApiProps {
  readonly authorizer: RepriseFunction;
  readonly routes: readonly { spec: RouteSpec; fn: RepriseFunction }[];
  /** Answers every request no route matched. */
  readonly fallback: RepriseFunction;
}

/** The HTTP API: one Lambda integration per catalogue route, access logs, and the Lambda authorizer. */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** Routes created here, for acknowledging public ones. */
  readonly publicRoutes: HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', { createDefaultStage: false, description: 'Reprise API' });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });

    // The authorizer always allows and hands its verdict to the route, which
    // answers 401 in its own API's error shape (API Gateway's 401/403 bodies
    // would break that contract). For the same reason it has no identity
    // source, which requires API Gateway's cache to be off (TTL 0): a request
    // without the header would otherwise get API Gateway's own 401. The
    // authorizer caches key lookups in memory instead.
    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', props.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    for (const { spec, fn } of props.routes) {
      const [route] = this.httpApi.addRoutes({
        path: spec.path,
        methods: [HttpMethod[spec.method]],
        integration: new HttpLambdaIntegration(`${fn.node.id}Integration`, fn),
        ...(spec.auth ? { authorizer } : {}),
      });
      if (!spec.auth && route) this.publicRoutes.push(route);
    }
    this.publicRoutes.push(
      new HttpRoute(this, 'FallbackRoute', {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.DEFAULT,
        integration: new HttpLambdaIntegration('FallbackIntegration', props.fallback),
      }),
    );

    new CfnOutput(scope, 'ApiUrl', { value: this.httpApi.apiEndpoint, description: 'Base URL of the Reprise API' });
  }
}
