import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

describe('GET /', () => {
  it('redirects a browser to the Replay Hub page, and tells any other client where the page, the OpenAPI document and health are', async () => {
    const response = await fetch(`${gateway.url}/`, { redirect: 'manual' });

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/replay');
    expect(response.headers.get('link')).toBe(
      '</replay>; rel="alternate"; type="text/html", </openapi.json>; rel="service-desc"; type="application/vnd.oai.openapi+json", </health>; rel="status"',
    );
    expect(await response.json()).toEqual({ links: { page: '/replay', openapi: '/openapi.json', health: '/health' } });
  });
});
