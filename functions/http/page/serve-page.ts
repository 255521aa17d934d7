import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { httpRoute, type RouteRequest } from '#shared/http/route.ts';
import { proxyPage, replayPage, replayPageFiles, reproducibilityPage, root } from './contract.ts';
import { currentPageFiles } from './page-files.ts';
import { pageResponse } from './page-response.ts';
import { rootRedirect } from './root-redirect.ts';

const serve = async ({ event, headers }: RouteRequest<unknown, unknown, unknown, unknown>) =>
  pageResponse(currentPageFiles(), { path: event.rawPath, headers });

const routeKey = (contract: { method: string; path: string }) => `${contract.method} ${contract.path}`;
/** Each page route by its route key; `/replay/{proxy+}` (deep links and assets) takes the rest. */
const pages = new Map([
  [routeKey(replayPage), httpRoute(replayPage, serve)],
  [routeKey(proxyPage), httpRoute(proxyPage, serve)],
  [routeKey(reproducibilityPage), httpRoute(reproducibilityPage, serve)],
  // `/` only redirects to the page: it shares the page's function rather than cost a function of its own.
  [routeKey(root), httpRoute(root, rootRedirect)],
]);
const files = httpRoute(replayPageFiles, serve);

/** Every page route shares this function, so the HTML and its assets warm one container. */
export function handler(event: APIGatewayProxyEventV2, context: Context) {
  return (pages.get(event.routeKey) ?? files)(event, context);
}
