import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnauthorizedError } from '#core/errors.ts';

/** Who is calling: the tenant every read and write is scoped to. */
export interface Caller {
  orgId: string;
  projectId: string;
  keyId: string;
}

type EventWithAuthorizer = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { lambda?: Partial<Record<string, unknown>> } };
};

/** Reads the caller from the authorizer context, or throws a 401. */
export function callerOf(event: APIGatewayProxyEventV2): Caller {
  const context = (event as EventWithAuthorizer).requestContext.authorizer?.lambda;
  const { authenticated, orgId, projectId, keyId } = context ?? {};
  if (authenticated !== true || typeof orgId !== 'string' || typeof projectId !== 'string' || typeof keyId !== 'string') {
    throw new UnauthorizedError();
  }
  return { orgId, projectId, keyId };
}
