import { NestedStack, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpIntegration, HttpIntegrationType, PayloadFormatVersion, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import type { FunctionSpec, ScheduledSpec } from '../../catalogue.ts';
import { functionId } from '../catalogue-input.ts';
import type { FunctionGroup } from '../function-groups.ts';
import type { CatalogueResources } from './access.ts';
import { ImportedResources } from './imported-resources.ts';
import { RepriseFunction } from './reprise-function.ts';

export interface FunctionStackProps {
  /** The functions to build: a capability's routes, or the workers. */
  readonly group: FunctionGroup;
  /** The root stack's resources; each one a function uses crosses into this stack as a parameter. */
  readonly resources: CatalogueResources;
  /** The API the routes' integrations belong to (its routes stay in the root stack). */
  readonly httpApi: IHttpApi;
}

/**
 * A nested stack of catalogue functions, each with its role, policy and log
 * group; for a route's function its API integration and the permissions that
 * let API Gateway invoke it from exactly its routes' paths; for a worker its
 * SQS event source. Routes, the authorizer, the stage, the scheduled
 * functions' rules and everything stateful stay in the root stack, which
 * reads each integration's id from this stack's outputs.
 */
export class FunctionStack extends NestedStack {
  /** Every function this stack builds, with the catalogue entry it was built from (the first route of a shared entry). */
  readonly functions: readonly { readonly spec: FunctionSpec; readonly fn: RepriseFunction }[];
  readonly scheduledFunctions: readonly { readonly spec: ScheduledSpec; readonly fn: RepriseFunction }[];
  private readonly integrations = new Map<string, HttpIntegration>();

  constructor(scope: Construct, id: string, props: FunctionStackProps) {
    super(scope, id, { description: `Reprise ${id}: functions with their roles, log groups and integrations or event sources` });
    const { group } = props;
    const resources = new ImportedResources(this, props.resources);
    let imported: IHttpApi | undefined;
    // Only a stack with routes needs the API (the workers' does not).
    const httpApi = () => (imported ??= HttpApi.fromHttpApiAttributes(this, 'HttpApi', { httpApiId: resources.parameter('HttpApiId', props.httpApi.apiId) }));
    const functions: { spec: FunctionSpec; fn: RepriseFunction }[] = [];
    const build = (spec: FunctionSpec) => {
      const fn = new RepriseFunction(this, functionId(spec.entry), { spec, resources });
      functions.push({ spec, fn });
      return fn;
    };

    // Routes naming the same entry share its function (the page's routes do), so they must agree on what it is.
    const routed = [
      ...group.routes.map((spec) => ({ spec, name: `${spec.method} ${spec.path}`, path: spec.path })),
      // `$default` matches every path.
      ...(group.fallbackRoute ? [{ spec: group.fallbackRoute, name: '$default', path: '' }] : []),
    ];
    const byEntry = new Map<string, { first: (typeof routed)[number]; fn: RepriseFunction; paths: Set<string> }>();
    for (const route of routed) {
      let built = byEntry.get(route.spec.entry);
      if (built && !sameFunction(built.first.spec, route.spec)) {
        throw new Error(`Routes ${built.first.name} and ${route.name} share ${route.spec.entry} but not its timeout, memory, uses and files`);
      }
      if (!built) {
        const fn = build(route.spec);
        this.integrations.set(
          route.spec.entry,
          new HttpIntegration(this, `${fn.node.id}Integration`, {
            httpApi: httpApi(),
            integrationType: HttpIntegrationType.AWS_PROXY,
            integrationUri: fn.functionArn,
            payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
          }),
        );
        byEntry.set(route.spec.entry, (built = { first: route, fn, paths: new Set() }));
      }
      built.paths.add(route.path);
    }
    // API Gateway may invoke a route's function for its routes' paths only (any stage and method), as HttpLambdaIntegration allows it.
    for (const { fn, paths } of byEntry.values()) {
      for (const path of paths) {
        fn.addPermission(`Invoke${path || 'Any'}`, {
          principal: new ServicePrincipal('apigateway.amazonaws.com'),
          sourceArn: Stack.of(this).formatArn({ service: 'execute-api', resource: httpApi().apiId, resourceName: `*/*${path}` }),
        });
      }
    }

    for (const spec of group.workers) {
      build(spec).addEventSource(
        new SqsEventSource(resources.queue(spec.queue), {
          batchSize: spec.batchSize,
          maxConcurrency: spec.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }
    this.scheduledFunctions = group.scheduled.map((spec) => ({ spec, fn: build(spec) }));
    this.functions = functions;
  }

  /** The id of the integration that invokes the function of a route's entry (read by the root stack's routes). */
  integrationIdOf(entry: string): string {
    const integration = this.integrations.get(entry);
    if (!integration) throw new Error(`${this.node.id} has no function for ${entry}`);
    return integration.integrationId;
  }
}

/** What a function is made of besides its entry: routes sharing an entry must agree on all of it. */
function sameFunction(a: FunctionSpec, b: FunctionSpec): boolean {
  const of = (spec: FunctionSpec) => JSON.stringify([spec.timeoutSeconds, spec.memoryMb, spec.uses, spec.files ?? null]);
  return of(a) === of(b);
}
