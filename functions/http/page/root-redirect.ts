import type { RouteResponse } from '#shared/http/route.ts';
import { rootLinks } from './contract.ts';

/** RFC 8288 links (RFC 8631 `service-desc` for the OpenAPI document), so a client that does not follow the redirect still finds its way. */
const link = [
  `<${rootLinks.page}>; rel="alternate"; type="text/html"`,
  `<${rootLinks.openapi}>; rel="service-desc"; type="application/vnd.oai.openapi+json"`,
  `<${rootLinks.health}>; rel="status"`,
].join(', ');

/** `GET /`: browsers go to the Replay Hub page; any other client reads where the API's documents are. */
export async function rootRedirect(): Promise<RouteResponse> {
  return { status: 302, headers: { location: rootLinks.page, link }, body: { links: rootLinks } };
}
