import { z } from 'zod';
import { routes } from '#lib/catalogue.ts';
import type { RouteContract } from '#shared/http/contract.ts';
import { jsonValueRules } from '#shared/http/json-value.ts';
import { STRICT_HEADER, STRICT_QUERY } from '#shared/http/unknown-fields.ts';
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

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

const components = {
  securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Reprise API key (rpr_…)' } },
  schemas: {
    V1Error: {
      type: 'object',
      required: ['detail', 'error_code', 'correlation_id', 'timestamp'],
      properties: {
        detail: { type: 'string' },
        error_code: { type: 'string' },
        correlation_id: { type: 'string' },
        timestamp: { type: 'string', format: 'date-time' },
      },
    },
    V1ValidationError: {
      type: 'object',
      required: ['detail'],
      properties: {
        detail: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['loc', 'msg', 'type'],
            properties: {
              loc: { type: 'array', items: { type: ['string', 'integer'] }, description: 'The part (body, query, path, header), then the field' },
              msg: { type: 'string' },
              type: { type: 'string', description: 'e.g. missing, string_too_long, extra_forbidden, string_unicode, number_range, json_depth' },
              input: {},
              ctx: { type: 'object' },
            },
          },
        },
      },
    },
    V2Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['type', 'message'],
          properties: {
            type: { type: 'string', enum: ['invalid_request_error', 'invalid_api_key', 'api_error'] },
            message: { type: 'string' },
            param: { type: 'string' },
          },
        },
      },
    },
  },
  headers: {
    CorrelationId: { description: 'Yours, if you sent a safe one, else the request id; in every log line too', schema: { type: 'string' } },
    Warning: {
      description: 'RFC 7234 warnings, e.g. `299 - "unknown field: deploymnet"` for each body field this API does not know (it was not stored)',
      schema: { type: 'string' },
    },
    Allow: { description: 'The methods the path answers, e.g. `GET, POST`', schema: { type: 'string' } },
    RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'string' } },
  },
  responses: {
    V1MethodNotAllowed: {
      description: 'A known path asked with a method it does not answer (any path of this document, any method it does not list)',
      headers: { Allow: headerRef('Allow'), 'X-Correlation-Id': headerRef('CorrelationId') },
      content: { 'application/json': { schema: ref('V1Error') } },
    },
    V2MethodNotAllowed: {
      description: 'A known path asked with a method it does not answer (any path of this document, any method it does not list)',
      headers: { Allow: headerRef('Allow'), 'X-Correlation-Id': headerRef('CorrelationId') },
      content: { 'application/json': { schema: ref('V2Error') } },
    },
  },
};

const DESCRIPTION = [
  'One replay platform: ledger, reproducibility, replay runs, session replay and detached replay.',
  '',
  `Every path also answers with a trailing slash (listed as a reference to the path without it). A path asked with a method it does not list answers 405 with \`Allow\` (components.responses.V1MethodNotAllowed / V2MethodNotAllowed).`,
  `JSON bodies: strings and keys are well-formed Unicode, keys are not empty, nesting is at most ${jsonValueRules.maxDepth} levels, numbers read back as sent and are 0 or of a magnitude from 1e-130 to below 1e126; anything else is a 422 (/api/v1) or 400 (/v2) naming the field.`,
  `Unknown body fields on /api/v1 are not stored and are reported (a \`Warning\` header and a \`warnings\` list); \`${STRICT_HEADER}: true\` or \`?${STRICT_QUERY}=true\` makes them a 422 \`extra_forbidden\`.`,
].join('\n');

/** Routes that reach a dependency (a table, queue, bucket, secret): those may answer 503. */
const withDependencies = new Set(routes.filter((route) => route.uses.length > 0).map((route) => `${route.method} ${route.path}`));

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
  for (const path of Object.keys(paths)) {
    paths[`${path}/`] = { $ref: `#/paths/${encodeURIComponent(path.replaceAll('~', '~0').replaceAll('/', '~1'))}` };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Reprise API', version, description: DESCRIPTION },
    components,
    paths,
  };
}

function operationOf(contract: RouteContract): JsonSchema {
  const v1 = contract.family === 'v1';
  const reportsUnknownFields = v1 && contract.request.body !== undefined;
  const parameters = [
    ...parametersOf('path', contract.request.path, contract.example?.path),
    ...parametersOf('query', contract.request.query, contract.example?.query),
    ...parametersOf('header', contract.request.headers, contract.example?.headers),
    ...(reportsUnknownFields ? strictParameters : []),
  ];
  const errorSchema = ref(v1 ? 'V1Error' : 'V2Error');
  const responses: Record<string, unknown> = {};
  // A status both the route and the frame answer (a v2 400, say) keeps the route's schema and both reasons.
  const answer = (status: number | string, description: string, schema: unknown, headers: Record<string, unknown> = {}, contentType = 'application/json') => {
    const existing = responses[String(status)] as { description: string; headers: Record<string, unknown> } | undefined;
    if (existing) {
      // A status the route declares itself keeps its body; the frame adds its reason and headers.
      existing.description = `${existing.description}; or: ${description}`;
      Object.assign(existing.headers, headers);
      return;
    }
    responses[String(status)] = {
      description,
      headers: { 'X-Correlation-Id': headerRef('CorrelationId'), ...headers },
      content: { [contentType]: contentType === 'application/json' ? { schema } : {} },
    };
  };

  for (const [status, response] of Object.entries(contract.responses)) {
    const success = Number(status) < 300;
    let schema: unknown = response.schema ? toSchema(response.schema) : Number(status) >= 400 ? errorSchemaOf(contract, Number(status)) : {};
    if (success && reportsUnknownFields) schema = withWarnings(schema as JsonSchema);
    answer(status, response.description, schema, success && reportsUnknownFields ? { Warning: headerRef('Warning') } : {}, response.contentType);
  }
  if (contract.auth) answer(401, 'Missing or invalid API key', errorSchema);
  const { body, query, path, headers } = contract.request;
  if (body || query || path || headers) {
    answer(v1 ? 422 : 400, 'Invalid request: each issue names its field', v1 ? ref('V1ValidationError') : errorSchema);
  }
  if (body) {
    answer(413, 'Body over the limit of this route', errorSchema);
    answer(415, 'Body not sent as application/json', errorSchema);
  }
  if (withDependencies.has(`${contract.method} ${contract.path}`)) {
    answer(503, 'A dependency of the route is unavailable: retry after the delay given', errorSchema, { 'Retry-After': headerRef('RetryAfter') });
  }
  answer(500, 'Internal error (its details are in the logs, under the correlation id)', errorSchema);

  return {
    operationId: contract.operationId,
    summary: contract.summary,
    tags: contract.tags,
    ...(contract.auth ? { security: [{ apiKey: [] }] } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(body), ...(contract.example?.body === undefined ? {} : { example: contract.example.body }) } },
          },
        }
      : {}),
    responses,
  };
}

/** A contract's error body: its family's shape, and on /api/v1 the issue list of a 422. */
function errorSchemaOf(contract: RouteContract, status: number): JsonSchema {
  if (contract.family === 'v1' && status === 422) return ref('V1ValidationError');
  return ref(contract.family === 'v2' ? 'V2Error' : 'V1Error');
}

const strictParameters: JsonSchema[] = [
  {
    name: STRICT_QUERY,
    in: 'query',
    required: false,
    description: 'true: an unknown body field is a 422 extra_forbidden instead of a warning',
    schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
  },
  {
    name: 'Reprise-Strict',
    in: 'header',
    required: false,
    description: `The same as ?${STRICT_QUERY}=`,
    schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
  },
];

/** An `/api/v1` success that took a body also lists what it did not store. */
function withWarnings(schema: JsonSchema): JsonSchema {
  if (schema.type !== 'object' || typeof schema.properties !== 'object') return schema;
  return {
    ...schema,
    properties: {
      ...(schema.properties as JsonSchema),
      warnings: { type: 'array', items: { type: 'string' }, description: 'One per body field this API does not know, e.g. "unknown field: deploymnet" (present only then)' },
    },
  };
}

function parametersOf(where: 'path' | 'query' | 'header', schema: z.ZodType | undefined, example: Record<string, string> | undefined): JsonSchema[] {
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
    ...(example?.[name] === undefined ? {} : { example: example[name] }),
  }));
}
