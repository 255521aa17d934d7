import { z } from 'zod';
import type { RouteContract } from '#shared/http/contract.ts';
import { version } from '#shared/version.ts';
import { contracts } from './contracts.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    // zod leaves `default` out of metadata (query integers document theirs there).
    override: ({ zodSchema, jsonSchema }) => {
      const meta = z.globalRegistry.get(zodSchema as unknown as z.ZodType) as { default?: unknown } | undefined;
      if (meta?.default !== undefined) jsonSchema.default = meta.default as never;
    },
  }) as JsonSchema;
  return rest;
};

const errorSchemas = {
  v1: {
    type: 'object',
    required: ['detail'],
    properties: {
      detail: { type: 'string' },
      error_code: { type: 'string' },
      correlation_id: { type: 'string' },
      timestamp: { type: 'string', format: 'date-time' },
    },
  },
  v1Validation: {
    type: 'object',
    properties: {
      detail: {
        type: 'array',
        items: {
          type: 'object',
          required: ['loc', 'msg', 'type'],
          properties: { loc: { type: 'array', items: {} }, msg: { type: 'string' }, type: { type: 'string' }, input: {}, ctx: { type: 'object' } },
        },
      },
    },
  },
  v2: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        required: ['type', 'message'],
        properties: { type: { type: 'string', enum: ['invalid_request_error', 'invalid_api_key', 'api_error'] }, message: { type: 'string' }, param: { type: 'string' } },
      },
    },
  },
} as const;

const ANY_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** OpenAPI 3.1 for every route, generated from the same zod schemas the handlers validate with. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const contract of contracts) {
    if (contract.documented === false) continue;
    paths[contract.path] ??= {};
    if (contract.method === 'ANY') {
      // OpenAPI has no "any method": the route is the same operation under each method a client may send.
      for (const method of ANY_METHODS) {
        const operation = operationOf(contract);
        paths[contract.path]![method] = { ...operation, operationId: `${contract.operationId}${method[0]!.toUpperCase()}${method.slice(1)}` };
      }
    } else {
      paths[contract.path]![contract.method.toLowerCase()] = operationOf(contract);
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Reprise API', version, description: 'One replay platform: ledger, reproducibility, replay runs, session replay and detached replay.' },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Reprise API key (rpr_…)' } },
      schemas: { V1Error: errorSchemas.v1, V1ValidationError: errorSchemas.v1Validation, V2Error: errorSchemas.v2 },
    },
    paths,
  };
}

function operationOf(contract: RouteContract): JsonSchema {
  const parameters = [
    ...parametersOf('path', contract.request.path),
    ...parametersOf('query', contract.request.query),
    ...parametersOf('header', contract.request.headers),
  ];
  const errorRef = { $ref: contract.family === 'v2' ? '#/components/schemas/V2Error' : '#/components/schemas/V1Error' };
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(contract.responses)) {
    responses[status] = {
      description: response.description,
      content: { 'application/json': { schema: response.schema ? toSchema(response.schema) : Number(status) >= 400 ? errorSchemaOf(contract, Number(status)) : {} } },
    };
  }
  if (contract.auth) responses['401'] = { description: 'Missing or invalid API key', content: { 'application/json': { schema: errorRef } } };
  if (contract.request.body || contract.request.query || contract.request.path) {
    responses[contract.family === 'v2' ? '400' : '422'] ??= {
      description: 'Invalid request',
      content: {
        'application/json': {
          schema: contract.family === 'v2' ? errorRef : { $ref: '#/components/schemas/V1ValidationError' },
        },
      },
    };
  }
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    tags: contract.tags,
    ...(contract.auth ? { security: [{ apiKey: [] }] } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(contract.request.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(contract.request.body) } } } }
      : {}),
    responses,
  };
}

/** A contract's error body: its family's shape, and on /api/v1 the issue list of a 422. */
function errorSchemaOf(contract: RouteContract, status: number): JsonSchema {
  if (contract.family === 'v1' && status === 422) return { $ref: '#/components/schemas/V1ValidationError' };
  return { $ref: contract.family === 'v2' ? '#/components/schemas/V2Error' : '#/components/schemas/V1Error' };
}

function parametersOf(where: 'path' | 'query' | 'header', schema: z.ZodType | undefined): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (required.has(name) && property.default === undefined),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}
