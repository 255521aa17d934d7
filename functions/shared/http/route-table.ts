import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * One function for several routes (`httpRoute` handlers), chosen by the
 * event's route key (`GET /v2/aliases`). Only routes whose catalogue entries
 * need exactly the same grants, timeout and memory share a function this way
 * (the stack refuses others), so it costs no privilege: each still validates
 * with its own contract, they keep one container warm instead of several, and
 * they spend one function, role, log group and API integration (an HTTP API
 * allows 300, a quota AWS does not raise) instead of one each.
 */
export function routeTable(routes: Record<string, RouteHandler>) {
  return async function handler(event: APIGatewayProxyEventV2, context: Context) {
    const route = routes[event.routeKey];
    if (!route) throw new Error(`No route ${event.routeKey} in this function`);
    return route(event, context);
  };
}

/** The route key of a contract. */
export const routeKeyOf = (contract: { method: string; path: string }) => `${contract.method} ${contract.path}`;
