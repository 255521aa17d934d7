import { httpRoute } from '#shared/http/route.ts';
import { root, rootLinks } from './contract.ts';

/** RFC 8288 links (RFC 8631 `service-desc` for the OpenAPI document), so a client that does not follow the redirect still finds its way. */
const link = [
  `<${rootLinks.page}>; rel="alternate"; type="text/html"`,
  `<${rootLinks.openapi}>; rel="service-desc"; type="application/vnd.oai.openapi+json"`,
  `<${rootLinks.health}>; rel="status"`,
].join(', ');

export const handler = httpRoute(root, async () => ({ status: 302, headers: { location: rootLinks.page, link }, body: { links: rootLinks } }));
