import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { PayloadTooLargeError } from '#core/errors.ts';
import { sessionReplayLimits as L } from '#core/session-replay/limits.ts';
import { httpRoute, type RouteRequest } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { proxyPath, proxyRoot } from './contract.ts';

async function forward({ event, headers }: RouteRequest<unknown, unknown, { endpoint_token: string }, unknown>) {
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : null;
  if (body && body.length > L.maxProxiedRequestBytes) throw new PayloadTooLargeError(L.maxProxiedRequestBytes);
  // Path segments as sent (still percent-encoded): /proxy/<token>/<rest…>.
  const rest = event.rawPath.split('/').slice(3);
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) forwarded[name.toLowerCase()] = value;
  // API Gateway hands cookies over apart from the headers.
  if (event.cookies?.length) forwarded.cookie = event.cookies.join('; ');
  const answer = await sessionReplay.proxy({
    token: event.pathParameters?.endpoint_token ?? '',
    method: event.requestContext.http.method,
    path: `/${rest.join('/')}`,
    query: event.rawQueryString ?? '',
    headers: forwarded,
    body,
    clientAddress: event.requestContext.http.sourceIp,
  });
  return {
    status: answer.status,
    headers: answer.headers,
    cookies: answer.cookies,
    rawBody: { data: answer.body.toString('base64'), isBase64Encoded: true },
  };
}

const root = httpRoute(proxyRoot, forward);
const path = httpRoute(proxyPath, forward);

/** Both proxy routes share this function. */
export function handler(event: APIGatewayProxyEventV2, context: Context) {
  return event.routeKey === `${proxyRoot.method} ${proxyRoot.path}` ? root(event, context) : path(event, context);
}
