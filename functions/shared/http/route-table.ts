import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * One function for several routes (`httpRoute` handlers), chosen by the
 * event's route key (`GET /v2/aliases`). Routes with the same grants, timeout
 * and memory share a function this way: each still validates with its own
 * contract, and the stack spends one function, role and log group on them
 * instead of one each (CloudFormation allows 500 resources per stack).
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
