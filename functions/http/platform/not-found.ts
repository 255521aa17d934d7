import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MethodNotAllowedError, NotFoundError } from '#core/errors.ts';
import { routes } from '#lib/catalogue.ts';
import { createAllowedMethods } from '#lib/route-matcher.ts';
import { familyOfPath, renderError } from '#shared/http/error-shapes.ts';

const allowedMethods = createAllowedMethods(routes);

/**
 * The `$default` route, which API Gateway (and the local gateway) calls for
 * every request no route matched, answering in the error shape of its API
 * family: a known path asked with another method is a 405 with `Allow`, any
 * other path a 404.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const correlationId = event.requestContext.requestId;
  const { method, path } = event.requestContext.http;
  const allowed = allowedMethods(path);
  const error = allowed.length > 0 ? new MethodNotAllowedError(method, path, allowed) : new NotFoundError(`No route for ${method} ${path}`, 'route_not_found');
  const rendered = renderError(familyOfPath(path), error, correlationId);
  return {
    statusCode: rendered.status,
    headers: {
      'content-type': 'application/json',
      'x-correlation-id': correlationId,
      ...(allowed.length > 0 ? { allow: allowed.join(', ') } : {}),
    },
    body: JSON.stringify(rendered.body),
  };
}
