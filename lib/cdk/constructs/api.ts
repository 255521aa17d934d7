import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec, RouteSpec } from '../../catalogue.ts';
import { functionId } from '../catalogue-input.ts';
import type { CatalogueResources } from './access.ts';
import { RepriseFunction } from './reprise-function.ts';

export interface ApiProps {
  /** The Lambda authorizer in front of every route with `auth: true`. */
  readonly authorizer: FunctionSpec;
  /** One route per entry, each with the Lambda function of its module (routes naming the same module share it). */
  readonly routes: readonly RouteSpec[];
  /** Answers every request no route matched (the `$default` route). */
  readonly fallbackRoute: FunctionSpec;
  /** What the functions' `uses` resolve against. */
  readonly resources: CatalogueResources;
  /**
   * How long API access logs are kept.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: RetentionDays;
}

/**
 * The HTTP API: a Lambda function and route per catalogue route, a `$default`
 * route for everything else, the Lambda authorizer on routes with `auth: true`,
 * and JSON access logs on its one stage.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** The stage every request goes through (`$default`). */
  readonly stage: HttpStage;
  readonly authorizerFunction: RepriseFunction;
  /** Each catalogue route with the function that answers it. */
  readonly routeFunctions: readonly { readonly spec: RouteSpec; readonly fn: RepriseFunction }[];
  readonly fallbackFunction: RepriseFunction;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const build = (spec: FunctionSpec) => new RepriseFunction(this, functionId(spec.entry), { spec, resources: props.resources });
    // Routes that name the same entry share its function (the page's routes do), so their spec must agree.
    const byEntry = new Map<string, { spec: RouteSpec; fn: RepriseFunction }>();
    const functionFor = (spec: RouteSpec) => {
      const built = byEntry.get(spec.entry);
      if (!built) {
        const fn = build(spec);
        byEntry.set(spec.entry, { spec, fn });
        return fn;
      }
      if (!sameFunction(built.spec, spec)) {
        throw new Error(`Routes ${built.spec.method} ${built.spec.path} and ${spec.method} ${spec.path} share ${spec.entry} but not its timeout, memory, uses and files`);
      }
      return built.fn;
    };

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
    // verdicts per key in memory instead.
    this.authorizerFunction = build(props.authorizer);
    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    this.routeFunctions = props.routes.map((spec) => {
      const fn = functionFor(spec);
      const routes = this.httpApi.addRoutes({
        path: spec.path,
        methods: [HttpMethod[spec.method]],
        integration: new HttpLambdaIntegration(`${fn.node.id}Integration`, fn),
        ...(spec.auth ? { authorizer } : {}),
      });
      if (!spec.auth) {
        const reason =
          spec.publicBecause ??
          `${spec.method} ${spec.path} is public by design (auth: false): public routes serve health, the OpenAPI document and the page, no tenant data.`;
        for (const route of routes) acknowledgePublic(route, reason);
      }
      return { spec, fn };
    });

    this.fallbackFunction = build(props.fallbackRoute);
    const fallback = new HttpRoute(this, 'FallbackRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('FallbackIntegration', this.fallbackFunction),
    });
    acknowledgePublic(fallback, '$default only answers 404 in the error shape of the API family the path belongs to; it reads and writes nothing.');
  }

  /** The base URL of the API. */
  get url(): string {
    return this.stage.url;
  }
}

/** What a function is made of besides its entry: routes sharing an entry must agree on all of it. */
function sameFunction(a: FunctionSpec, b: FunctionSpec): boolean {
  const of = (spec: FunctionSpec) => JSON.stringify([spec.timeoutSeconds, spec.memoryMb, spec.uses, spec.files ?? null]);
  return of(a) === of(b);
}

function acknowledgePublic(route: HttpRoute, reason: string): void {
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
