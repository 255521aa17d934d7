import { z } from 'zod';
import { defineContract } from '#shared/http/contract.ts';

const tags = ['Platform'];

const dependencyStatus = z.object({ status: z.enum(['ok', 'down']), reason: z.string().optional().describe('Why it is down, in a few words') });
const dependencies = z
  .record(z.enum(['dynamodb', 'sqs', 's3']), dependencyStatus)
  .describe('Each service the API depends on: DynamoDB, SQS and S3, each probed without reading data (answers are reused for 2 s)');

export const health = defineContract({
  method: 'GET',
  path: '/health',
  family: 'v1',
  operationId: 'getHealth',
  summary: 'Health of the API and of each service it depends on',
  tags,
  auth: false,
  request: {},
  responses: {
    200: { description: 'The API and every dependency answer', schema: z.object({ status: z.literal('ok'), version: z.string(), dependencies }) },
    503: {
      description: 'A dependency is down (see `dependencies`); `Retry-After` says when to look again',
      schema: z.object({ status: z.literal('unavailable'), version: z.string(), dependencies }),
    },
  },
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
