import { z } from 'zod';
import { sessionReplayLimits as L } from '#core/session-replay/limits.ts';
import { defineContract } from '#shared/http/contract.ts';

/** An example token: the shape of the ones endpoints get (43 base64url characters after pxt_). */
const TOKEN = `pxt_${'A'.repeat(43)}`;

const common = {
  method: 'ANY' as const,
  family: 'v1' as const,
  tags: ['Session replay'],
  // The endpoint token in the path authorises the request; the client's own Authorization goes to its upstream.
  auth: false,
  request: {},
  responses: {
    200: { description: "The upstream's answer, whatever its status, headers and body (binary-safe)", contentType: '*/*' },
    404: { description: 'No proxy endpoint has this token (or it was deleted)' },
    413: { description: `Request body over ${L.maxProxiedRequestBytes} bytes` },
    502: { description: `The upstream refused the connection, is not a public address, failed, or answered more than ${L.maxProxiedResponseBytes} bytes` },
    504: { description: `The upstream did not answer within ${L.upstreamTimeoutMs / 1000} s` },
  },
};

/** The upstream's root: `…/proxy/{endpoint_token}`. */
export const proxyRoot = defineContract({
  ...common,
  path: '/proxy/{endpoint_token}',
  operationId: 'proxyRoot',
  summary: "Forward a request to the endpoint's upstream root, recording it when recording is on",
  request: { path: z.object({ endpoint_token: z.string() }) },
  example: { path: { endpoint_token: TOKEN } },
});

/** Everything under it: `…/proxy/{endpoint_token}/any/path?query`. */
export const proxyPath = defineContract({
  ...common,
  path: '/proxy/{endpoint_token}/{proxy+}',
  operationId: 'proxyPath',
  summary: "Forward a request to the endpoint's upstream with the path after the token, recording it when recording is on",
  request: { path: z.object({ endpoint_token: z.string(), proxy: z.string() }) },
  example: { path: { endpoint_token: TOKEN, proxy: 'v1/orders' } },
});
