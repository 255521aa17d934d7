import { z } from 'zod';
import { defineContract } from '#shared/http/contract.ts';

const tags = ['Platform'];

export const health = defineContract({
  method: 'GET',
  path: '/health',
  family: 'v1',
  operationId: 'getHealth',
  summary: 'Liveness of the API',
  tags,
  auth: false,
  request: {},
  responses: { 200: { description: 'The API answers', schema: z.object({ status: z.literal('ok'), version: z.string() }) } },
});

export const openApi = defineContract({
  method: 'GET',
  path: '/openapi.json',
  family: 'v1',
  operationId: 'getOpenApiDocument',
  summary: 'This OpenAPI document',
  tags,
  auth: false,
  request: {},
  responses: {
    200: {
      description: 'OpenAPI 3.1 document generated from the request schemas',
      schema: z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }),
    },
  },
});
