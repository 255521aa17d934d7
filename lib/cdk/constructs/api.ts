import { Aws, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { AuthorizerPayloadVersion, CfnRoute, HttpApi, HttpAuthorizer, HttpAuthorizerType, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec, RouteSpec } from '../../catalogue.ts';
import { functionId } from '../catalogue-input.ts';
import type { CatalogueResources } from './access.ts';
import { RepriseFunction } from './reprise-function.ts';

export interface ApiProps {
  /** The Lambda authorizer in front of every route with `auth: true`. */
  readonly authorizer: FunctionSpec;
  /** What the authorizer's `uses` resolve against. */
  readonly resources: CatalogueResources;
  /**
   * How long API access logs are kept.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: RetentionDays;
}

/**
 * The HTTP API: its routes, the Lambda authorizer on routes with `auth: true`,
 * and JSON access logs on its one stage. The routes' functions and their
 * integrations live in nested stacks (`FunctionStack`); each route here names
 * its function's integration by id. Routes keep the construct paths
 * `HttpApi.addRoutes` gave them, so a stack deployed before the functions moved
 * updates each route in place: API Gateway refuses a second route with a key
 * it already has, which a route with a new logical id would be.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** The stage every request goes through (`$default`). */
  readonly stage: HttpStage;
  readonly authorizerFunction: RepriseFunction;
  readonly authorizer: HttpAuthorizer;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', { createDefaultStage: false, description: 'Reprise API' });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });

    // The authorizer always answers isAuthorized: true and hands its verdict
    // (the caller, or why there is none) to the route in the context; the
    // route answers 401 in its own API's JSON error shape, which API Gateway's
    // own 401/403 bodies would break. For the same reason it has no identity
    // source (a request without the header would get API Gateway's 401), and
    // without one API Gateway cannot cache (TTL 0): the authorizer caches
    // verdicts per key in memory instead. Built as HttpLambdaAuthorizer builds
    // it on a route (same ids), as the routes here name it by id.
    this.authorizerFunction = new RepriseFunction(this, functionId(props.authorizer.entry), { spec: props.authorizer, resources: props.resources });
    this.authorizer = new HttpAuthorizer(this.httpApi, 'ApiKeyAuthorizer', {
      httpApi: this.httpApi,
      type: HttpAuthorizerType.LAMBDA,
      authorizerName: 'ApiKeyAuthorizer',
      identitySource: [],
      enableSimpleResponses: true,
      payloadFormatVersion: AuthorizerPayloadVersion.VERSION_2_0,
      authorizerUri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${this.authorizerFunction.functionArn}/invocations`,
      resultsCacheTtl: Duration.seconds(0),
    });
    this.authorizerFunction.addPermission(`${Names.nodeUniqueId(this.authorizer.node)}-Permission`, {
      scope: this.httpApi,
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: Stack.of(this).formatArn({ service: 'execute-api', resource: this.httpApi.apiId, resourceName: `authorizers/${this.authorizer.authorizerId}` }),
    });
  }

  /** A catalogue route, sent to the integration of its function. */
  addRoute(spec: RouteSpec, integrationId: string): void {
    const route = new ApiRoute(this.httpApi, `${spec.method}${spec.path}`, {
      httpApi: this.httpApi,
      routeKey: `${spec.method} ${spec.path}`,
      integrationId,
      ...(spec.auth ? { authorizer: this.authorizer } : {}),
    });
    if (!spec.auth) {
      acknowledgePublic(
        route,
        spec.publicBecause ??
          `${spec.method} ${spec.path} is public by design (auth: false): public routes serve health, the OpenAPI document and the page, no tenant data.`,
      );
    }
  }

  /** The `$default` route: every request no route matched. */
  addFallbackRoute(integrationId: string): void {
    const route = new ApiRoute(this, 'FallbackRoute', { httpApi: this.httpApi, routeKey: '$default', integrationId });
    acknowledgePublic(route, '$default only answers 404 in the error shape of the API family the path belongs to; it reads and writes nothing.');
  }

  /** The base URL of the API. */
  get url(): string {
    return this.stage.url;
  }
}

interface ApiRouteProps {
  readonly httpApi: HttpApi;
  readonly routeKey: string;
  /** Of an integration in another stack: the route reads it from that stack's outputs. */
  readonly integrationId: string;
  readonly authorizer?: HttpAuthorizer;
}

/** A route whose integration is built elsewhere: the `AWS::ApiGatewayV2::Route` an `HttpRoute` would make, at the same path. */
class ApiRoute extends Construct {
  constructor(scope: Construct, id: string, props: ApiRouteProps) {
    super(scope, id);
    new CfnRoute(this, 'Resource', {
      apiId: props.httpApi.apiId,
      routeKey: props.routeKey,
      target: `integrations/${props.integrationId}`,
      authorizationType: props.authorizer ? 'CUSTOM' : 'NONE',
      ...(props.authorizer ? { authorizerId: props.authorizer.authorizerId } : {}),
    });
  }
}

function acknowledgePublic(route: Construct, reason: string): void {
  Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
}

/** One JSON object per request; `authorizerError` and `integrationError` say why a request failed before or in the handler. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    authorizerError: '$context.authorizer.error',
    integrationError: '$context.integrationErrorMessage',
  }),
);
