import type { ViewContext } from '../view-context.ts';
import { showEndpoint } from './endpoint-view.ts';
import { showEndpoints } from './endpoints-view.ts';
import { proxyApi } from './proxy-api.ts';
import type { ProxyQuery } from './proxy-query.ts';

/** The Proxy page: the endpoints, or one endpoint's page, as the query string says. */
export function showProxy(ctx: ViewContext, query: ProxyQuery): void {
  const api = proxyApi(ctx.api);
  if (query.endpoint) showEndpoint(ctx, api, { ...query, endpoint: query.endpoint });
  else showEndpoints(ctx, api);
}
