import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DependencyUnavailableError, UnauthorizedError } from '#core/errors.ts';

/** Who is calling: the tenant every read and write is scoped to. */
export interface Caller {
  orgId: string;
  /** The generated project id (`prj_…`) every project-scoped key starts from. */
  projectId: string;
  projectName: string;
  keyId: string;
}

type EventWithAuthorizer = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { lambda?: Partial<Record<string, unknown>> } };
};

const LEGACY_KEY_MESSAGE =
  'This API key was created before projects had ids and is no longer accepted: create a new one with `npm run api-key -- create --org <org> --project <name>`.';

/** Reads the caller from the authorizer context, or throws a 401 (a 503 when the authorizer could not read the keys). */
export function callerOf(event: APIGatewayProxyEventV2): Caller {
  const context = (event as EventWithAuthorizer).requestContext.authorizer?.lambda;
  const { authenticated, orgId, projectId, projectName, keyId, reason } = context ?? {};
  if (authenticated === false && reason === 'unavailable') throw new DependencyUnavailableError();
  if (authenticated !== true || typeof orgId !== 'string' || typeof projectId !== 'string' || typeof projectName !== 'string' || typeof keyId !== 'string') {
    throw new UnauthorizedError(reason === 'legacy' ? LEGACY_KEY_MESSAGE : undefined);
  }
  return { orgId, projectId, projectName, keyId };
}
