import { beforeAll, describe, expect, it, vi } from 'vitest';
import packageJson from '../../../package.json' with { type: 'json' };
import { contracts } from '../../../functions/http/contracts.ts';
import { tables } from '../../../lib/catalogue.ts';

type Json = Record<string, any>;
type Operation = {
  operationId: string;
  summary: string;
  tags: string[];
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: Json }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
};
type Document = { openapi: string; info: Json; components: Json; paths: Record<string, Record<string, Operation>> };

let document: Document;
/** Every contract but the page's (see the first test). */
const documented = contracts.filter((c) => c.documented !== false);

beforeAll(async () => {
  // The document must build without any deployment setting: clear the
  // functions' env vars, then import the module fresh.
  const names = Object.values(tables).map((t) => t.envName);
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  try {
    vi.resetModules();
    const { buildOpenApiDocument } = await import('../../../functions/http/openapi-document.ts');
    document = buildOpenApiDocument() as Document;
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
});

/** The path items with operations (the trailing-slash twins are references to them). */
const operationPaths = () => Object.entries(document.paths).filter(([, item]) => !('$ref' in item)) as [string, Record<string, Operation>][];

const operation = (path: string, method: string): Operation => {
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`no ${method.toUpperCase()} ${path} in the document`);
  return found;
};
const parameter = (op: Operation, name: string) => op.parameters?.find((p) => p.name === name);
/** OpenAPI has no "any method": an ANY route stands under each method, with the method in its operationId. */
const ANY_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const methodsOf = (contract: { method: string }) => (contract.method === 'ANY' ? ANY_METHODS : [contract.method.toLowerCase()]);
const operationIdOf = (contract: { operationId: string; method: string }, method: string) =>
  contract.method === 'ANY' ? `${contract.operationId}${method[0]!.toUpperCase()}${method.slice(1)}` : contract.operationId;

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1.0, titled and versioned from package.json', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toEqual(expect.any(String));
    expect(document.info.version).toBe(packageJson.version);
  });

  it('is plain JSON, so it can be served as is', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it('leaves out the page routes and the redirect to them on purpose: they serve browsers, no API operation', () => {
    const pageRoutes = contracts.filter((c) => c.documented === false);
    expect(pageRoutes.map((c) => `${c.method} ${c.path}`).sort()).toEqual(['GET /', 'GET /proxy', 'GET /replay', 'GET /replay/{proxy+}', 'GET /reproducibility']);
    for (const contract of pageRoutes) expect(document.paths[contract.path], contract.path).toBeUndefined();
  });

  it('has every other contract, by path and method, with its operationId, summary and tags, and nothing else', () => {
    for (const contract of documented) {
      for (const method of methodsOf(contract)) {
        const op = operation(contract.path, method);
        expect(op.operationId).toBe(operationIdOf(contract, method));
        expect(op.summary).toBe(contract.summary);
        expect(op.tags).toEqual(contract.tags);
      }
    }
    const inDocument = operationPaths().flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(inDocument.sort()).toEqual(documented.flatMap((c) => methodsOf(c).map((m) => `${m.toUpperCase()} ${c.path}`)).sort());
  });

  it('uses unique operationIds', () => {
    const ids = operationPaths().flatMap(([, methods]) => Object.values(methods).map((op) => op.operationId));
    expect(ids.length).toBe(documented.flatMap(methodsOf).length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every {placeholder} of a path as a required path parameter, and no other', () => {
    for (const [path, methods] of operationPaths()) {
      const placeholders = [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(methods)) {
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort(), `${op.operationId}`).toEqual(placeholders);
        for (const p of pathParams) expect(p.required, `${op.operationId} ${p.name}`).toBe(true);
      }
    }
  });

  it('guards authenticated routes with the apiKey scheme and documents their 401', () => {
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const authenticated = contracts.filter((c) => c.auth);
    expect(authenticated.length).toBeGreaterThan(0);
    for (const contract of authenticated) {
      const op = operation(contract.path, contract.method.toLowerCase());
      expect(op.security, contract.operationId).toEqual([{ apiKey: [] }]);
      expect(op.responses['401'], contract.operationId).toBeDefined();
      expect(op.responses['401']?.content?.['application/json']?.schema).toEqual({
        $ref: contract.family === 'v2' ? '#/components/schemas/V2Error' : '#/components/schemas/V1Error',
      });
    }
  });

  it('marks public routes with an empty security list and no 401', () => {
    const publicRoutes = documented.filter((c) => !c.auth);
    expect(publicRoutes.map((c) => c.path)).toEqual(expect.arrayContaining(['/health', '/openapi.json']));
    for (const contract of publicRoutes) {
      for (const method of methodsOf(contract)) {
        const op = operation(contract.path, method);
        expect(op.security, contract.operationId).toEqual([]);
        expect(op.responses['401'], contract.operationId).toBeUndefined();
      }
    }
  });

  it('gives every operation a 2xx response', () => {
    for (const [, methods] of operationPaths()) {
      for (const op of Object.values(methods)) expect(Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)), op.operationId).toBe(true);
    }
  });

  // BUG (functions/http/openapi-document.ts:8-11, toSchema): z.toJSONSchema
  // emits recursive schemas (z.json() in divergence_details.recorded/replayed)
  // as "$ref": "#/$defs/__schema0" with the $defs kept inside each embedded
  // schema. In an OpenAPI 3.1 document an embedded schema without $id shares
  // the document's base URI, so "#/$defs/…" points at the document root, where
  // there is no $defs: the ledger POST body and the history responses do not
  // resolve in any OpenAPI tool.
  it('resolves every $ref against the document root, as OpenAPI 3.1 tools do', () => {
    const refs = [...new Set([...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!))];
    expect(refs.length).toBeGreaterThan(0);
    const unresolved = refs.filter((ref) => {
      if (!ref.startsWith('#/')) return true;
      const target = ref
        .slice(2)
        .split('/')
        .reduce<any>((node, key) => node?.[decodeURIComponent(key).replace(/~1/g, '/').replace(/~0/g, '~')], document);
      return target === undefined;
    });
    expect(unresolved).toEqual([]);
  });
});

describe('the ledger operations in the OpenAPI document', () => {
  it('describe the POST body from its zod schema', () => {
    const post = operation('/api/v1/replay/{run_id}/results', 'post');
    expect(post.requestBody?.required).toBe(true);
    const schema = post.requestBody!.content['application/json']!.schema;
    expect(schema.type).toBe('object');
    expect(schema.properties.status.enum).toEqual(['success', 'partial', 'failed']);
    expect(schema.required).toEqual(expect.arrayContaining(['status', 'actions_replayed', 'actions_total', 'divergences', 'cost_savings']));
    expect(schema.required).not.toContain('divergence_details');
    expect(schema.properties.cost_savings).toMatchObject({ type: 'number', minimum: 0 });
    expect(schema.properties.actions_total).toMatchObject({ type: 'integer', minimum: 0 });
  });

  it('describe the POST parameters and answers', () => {
    const post = operation('/api/v1/replay/{run_id}/results', 'post');
    expect(parameter(post, 'run_id')).toMatchObject({ in: 'path', required: true, schema: { type: 'string', pattern: expect.any(String) } });
    expect(parameter(post, 'idempotency-key')).toMatchObject({ in: 'header', required: false });
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '401', '409', '422']));
    expect(post.responses['422']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/V1ValidationError' });
  });

  it('describe the history query: skip, limit up to 200, cursor, the kind, status and deployment filters, none required', () => {
    const history = operation('/api/v1/replay/history', 'get');
    expect((history.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['cursor', 'deployment', 'kind', 'limit', 'skip', 'status']);
    expect(parameter(history, 'limit')).toMatchObject({ required: false, schema: { maximum: 200, minimum: 1, default: 50 } });
    expect(parameter(history, 'skip')).toMatchObject({ required: false, schema: { minimum: 0, default: 0 } });
    expect(parameter(history, 'cursor')).toMatchObject({ required: false, description: expect.stringContaining('next_cursor') });
    expect(parameter(history, 'status')).toMatchObject({ required: false, schema: { enum: ['success', 'partial', 'failed'] } });
    expect(parameter(history, 'deployment')).toMatchObject({ required: false, description: expect.stringContaining('(none)'), schema: { maxLength: 256 } });
    expect(history.requestBody).toBeUndefined();
  });

  it('describe the daily stats: days from 1 to 90, 30 by default', () => {
    const daily = operation('/api/v1/replay/stats/daily', 'get');
    expect(parameter(daily, 'days')).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 90, default: 30 } });
    expect(daily.responses['200']?.content?.['application/json']?.schema).toMatchObject({
      properties: { items: { items: { required: expect.arrayContaining(['day', 'deployment', 'submissions', 'divergences']) } } },
    });
    expect(Object.keys(daily.responses)).toEqual(expect.arrayContaining(['200', '401', '422']));
  });

  it('describe the run history: run_id in the path, limit and cursor in the query', () => {
    const run = operation('/api/v1/replay/history/{run_id}', 'get');
    expect(parameter(run, 'run_id')).toMatchObject({ in: 'path', required: true });
    expect(parameter(run, 'limit')).toMatchObject({ in: 'query', required: false, schema: { maximum: 200 } });
    expect(parameter(run, 'cursor')).toMatchObject({ in: 'query', required: false });
    expect(Object.keys(run.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
  });
});

describe('the OpenAPI document tells every status an operation can answer', () => {
  const family = (c: { family: string }) => (c.family === 'v2' ? 'V2Error' : 'V1Error');
  const schemaOf = (op: Operation, status: string) => op.responses[status]?.content?.['application/json']?.schema;

  it('requires the fields of its error schemas', () => {
    expect(document.components.schemas.V1Error.required).toEqual(['detail', 'error_code', 'correlation_id', 'timestamp']);
    expect(document.components.schemas.V1ValidationError.required).toEqual(['detail']);
    expect(document.components.schemas.V1ValidationError.properties.detail.items.required).toEqual(['loc', 'msg', 'type']);
    expect(document.components.schemas.V2Error.required).toEqual(['error']);
    expect(document.components.schemas.V2Error.properties.error.required).toEqual(['type', 'message']);
  });

  it('documents the frame answers of every operation: 500 always, 401 with a key, 413/415 with a body, 422 or 400 with any input', () => {
    for (const contract of documented) {
      const op = operation(contract.path, methodsOf(contract)[0]!);
      const statuses = Object.keys(op.responses);
      expect(schemaOf(op, '500'), contract.operationId).toEqual({ $ref: `#/components/schemas/${family(contract)}` });
      if (contract.auth) expect(statuses, contract.operationId).toContain('401');
      if (contract.request.body) expect(statuses, contract.operationId).toEqual(expect.arrayContaining(['413', '415']));
      const { body, query, path, headers } = contract.request;
      if (body || query || path || headers) expect(statuses, contract.operationId).toContain(contract.family === 'v2' ? '400' : '422');
      for (const status of statuses) {
        if (contract.responses[Number(status)]?.contentType) continue;
        expect(op.responses[status]?.content?.['application/json']?.schema, `${contract.operationId} ${status}`).toBeDefined();
        // An error status a route declares with a body of its own (the 503 of /health) keeps that body.
        if (Number(status) >= 400 && status !== '422' && !contract.responses[Number(status)]?.schema) {
          expect(schemaOf(op, status), `${contract.operationId} ${status}`).toEqual({ $ref: `#/components/schemas/${family(contract)}` });
        }
      }
    }
  });

  it('documents a 503 with Retry-After on the operations that reach a dependency', () => {
    const create = operation('/v2/replay-runs', 'post');
    expect(create.responses['503']).toMatchObject({ headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } });
    // /health answers its own 503: which dependency is down, and why.
    const health = operation('/health', 'get').responses['503']!;
    expect(health).toMatchObject({ headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } });
    expect(schemaOf(operation('/health', 'get'), '503')).toMatchObject({ required: ['status', 'version', 'dependencies'], properties: { status: { const: 'unavailable' } } });
  });

  it('gives every JSON success a real schema (the report and the usage-events list included), and other media types their own', () => {
    for (const contract of documented) {
      const op = operation(contract.path, methodsOf(contract)[0]!);
      for (const status of Object.keys(op.responses).filter((s) => s.startsWith('2'))) {
        const contentType = contract.responses[Number(status)]?.contentType;
        if (contentType) {
          expect(Object.keys(op.responses[status]!.content!), `${contract.operationId} ${status}`).toEqual([contentType]);
          continue;
        }
        expect(Object.keys(schemaOf(op, status) ?? {}), `${contract.operationId} ${status}`).not.toEqual([]);
      }
    }
    const report = schemaOf(operation('/v2/replay-runs/{replay_run_id}/report', 'get'), '200')!;
    expect(report.required).toEqual(expect.arrayContaining(['provenance', 'traffic_manifest', 'metrics', 'recommended_profile', 'known_limitations', 'evidence_digest']));
    const usage = schemaOf(operation('/v2/usage-events', 'get'), '200')!;
    expect(usage.properties.data.items.required).toEqual(expect.arrayContaining(['id', 'target', 'input_tokens', 'occurred_at']));
  });

  it('lists GET /api/v1/replay/history/ (and every path with a trailing slash) as the same operation', () => {
    expect(document.paths['/api/v1/replay/history/']).toEqual({ $ref: '#/paths/~1api~1v1~1replay~1history' });
    for (const [path] of operationPaths()) expect(document.paths[`${path}/`], path).toHaveProperty('$ref');
  });

  it('documents the 405 with Allow of a known path asked with another method', () => {
    for (const name of ['V1MethodNotAllowed', 'V2MethodNotAllowed']) {
      expect(document.components.responses[name]).toMatchObject({ headers: { Allow: { $ref: '#/components/headers/Allow' } } });
    }
    expect(document.info.description).toMatch(/405/);
  });

  it('documents unknown-field warnings and strict mode on the /api/v1 operations that take a body', () => {
    const post = operation('/api/v1/replay/{run_id}/results', 'post');
    expect(parameter(post, 'strict')).toMatchObject({ in: 'query', required: false, schema: { enum: ['true', 'false'] } });
    expect(parameter(post, 'Reprise-Strict')).toMatchObject({ in: 'header', required: false });
    expect(post.responses['201']).toMatchObject({ headers: { Warning: { $ref: '#/components/headers/Warning' } } });
    expect(schemaOf(post, '201')!.properties.warnings).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(parameter(operation('/v2/replay-runs', 'post'), 'strict')).toBeUndefined();
  });

  it('documents RFC 3339 fields as date-time', () => {
    const body = operation('/api/v1/replay/{run_id}/results', 'post').requestBody!.content['application/json']!.schema;
    expect(body.properties.started_at.anyOf).toContainEqual({ type: 'string', format: 'date-time' });
  });
});

describe('the example request of every contract', () => {
  it('exists for every route with a body or path parameters, and is valid for the route', () => {
    for (const contract of contracts.filter((c) => c.request.body || c.request.path)) {
      if (contract.documented === false) continue;
      const { example, request } = contract;
      expect(example, contract.operationId).toBeDefined();
      if (request.body) expect(request.body.safeParse(example!.body).error, contract.operationId).toBeUndefined();
      if (request.path) expect(request.path.safeParse(example!.path).error, contract.operationId).toBeUndefined();
      if (request.query) expect(request.query.safeParse(example!.query ?? {}).error, contract.operationId).toBeUndefined();
    }
  });

  it('is in the document', () => {
    const post = operation('/api/v1/replay/{run_id}/results', 'post');
    expect(post.requestBody!.content['application/json']).toMatchObject({ example: { status: 'partial' } });
    expect(parameter(post, 'run_id')).toMatchObject({ example: 'run_42' });
  });
});
