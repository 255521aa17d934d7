import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { httpRoute, type RouteRequest } from '#shared/http/route.ts';
import { replayPage, replayPageFiles } from './contract.ts';
import { currentPageFiles } from './page-files.ts';
import { pageResponse } from './page-response.ts';

const serve = async ({ event, headers }: RouteRequest<unknown, unknown, unknown, unknown>) =>
  pageResponse(currentPageFiles(), { path: event.rawPath, headers });

const page = httpRoute(replayPage, serve);
const files = httpRoute(replayPageFiles, serve);

/** Both page routes share this function, so the HTML and its assets warm one container. */
export function handler(event: APIGatewayProxyEventV2, context: Context) {
  return event.routeKey === `${replayPage.method} ${replayPage.path}` ? page(event, context) : files(event, context);
}
