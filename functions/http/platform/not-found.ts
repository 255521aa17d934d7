import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError } from '#core/errors.ts';
import { familyOfPath, renderError } from '#shared/http/error-shapes.ts';

/** The `$default` route: an unknown path is a 404 in its API family's shape, not API Gateway's. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const correlationId = event.requestContext.requestId;
  const { method, path } = event.requestContext.http;
  const rendered = renderError(familyOfPath(path), new NotFoundError(`No route for ${method} ${path}`, 'route_not_found'), correlationId);
  return {
    statusCode: rendered.status,
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify(rendered.body),
  };
}
