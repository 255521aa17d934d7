import { z } from 'zod';
import { defineContract } from '#shared/http/contract.ts';

const common = {
  method: 'GET' as const,
  family: 'v1' as const,
  tags: ['Page'],
  auth: false,
  // HTML, scripts and styles for browsers: not an API operation (see README, "The Replay Hub page").
  documented: false,
};

/** The Replay Hub page itself; it asks for an API key in the browser and calls the ledger API. */
export const replayPage = defineContract({
  ...common,
  path: '/replay',
  operationId: 'getReplayPage',
  summary: 'The Replay Hub page',
  request: {},
  responses: { 200: { description: 'The page (text/html)' } },
});

/** Deep links into the page (`/replay/runs/{run_id}`) and its hashed assets (`/replay/assets/…`). */
export const replayPageFiles = defineContract({
  ...common,
  path: '/replay/{proxy+}',
  operationId: 'getReplayPageFile',
  summary: 'A deep link into the Replay Hub page, or one of its assets',
  request: { path: z.object({ proxy: z.string() }) },
  responses: {
    200: { description: 'The page (text/html) for a page path, or the asset' },
    304: { description: 'Not modified (If-None-Match)' },
    404: { description: 'No such asset, or no such page (the page, which says so)' },
  },
});

/**
 * The Proxy page. Paths below `/proxy/` are the recording proxy's
 * (`ANY /proxy/{endpoint_token}/{proxy+}`), so the page is served at exactly
 * `/proxy` and keeps its state (endpoint, tab, view, session) in the query string.
 */
export const proxyPage = defineContract({
  ...common,
  path: '/proxy',
  operationId: 'getProxyPage',
  summary: 'The Proxy page',
  request: {},
  responses: { 200: { description: 'The page (text/html)' }, 304: { description: 'Not modified (If-None-Match)' } },
});

/** The Reproducibility page; its state (session, agent) lives in the query string. */
export const reproducibilityPage = defineContract({
  ...common,
  path: '/reproducibility',
  operationId: 'getReproducibilityPage',
  summary: 'The Reproducibility page',
  request: {},
  responses: { 200: { description: 'The page (text/html)' }, 304: { description: 'Not modified (If-None-Match)' } },
});

/** Where to go from `/`: the page for browsers, and the API's own documents for everything else. */
export const rootLinks = { page: '/replay', openapi: '/openapi.json', health: '/health' } as const;

export const root = defineContract({
  method: 'GET',
  path: '/',
  family: 'v1',
  operationId: 'getRoot',
  summary: 'Where to start: redirects browsers to the Replay Hub page, and links the API documents',
  tags: ['Page'],
  auth: false,
  // A redirect for browsers, like the page itself: no API operation to generate a client for.
  documented: false,
  request: {},
  responses: {
    302: {
      description:
        'To the page (`Location: /replay`); a `Link` header names the page (alternate), the OpenAPI document (service-desc) and health (status), as does the body',
      schema: z.object({ links: z.object({ page: z.literal(rootLinks.page), openapi: z.literal(rootLinks.openapi), health: z.literal(rootLinks.health) }) }),
    },
  },
});
