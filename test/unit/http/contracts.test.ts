import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contracts } from '../../../functions/http/contracts.ts';
import { buildOpenApiDocument } from '../../../functions/http/openapi-document.ts';
import { authorizer, fallbackRoute, routes, scheduled, workers } from '../../../lib/catalogue.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');

describe('the catalogue and the route contracts', () => {
  it('agree on every route: method, path and auth', () => {
    const fromCatalogue = routes.map((r) => `${r.method} ${r.path} auth=${r.auth}`).sort();
    const fromContracts = contracts.map((c) => `${c.method} ${c.path} auth=${c.auth}`).sort();
    expect(fromContracts).toEqual(fromCatalogue);
  });

  it('name handler modules that exist', () => {
    for (const spec of [...routes, authorizer, fallbackRoute, ...workers, ...scheduled]) {
      expect(existsSync(resolve(root, spec.entry)), spec.entry).toBe(true);
    }
  });

  it('use unique operation ids', () => {
    const ids = contracts.map((c) => c.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };

  it('is OpenAPI 3.1 with every route and operation', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const contract of contracts) {
      expect(document.paths[contract.path]?.[contract.method.toLowerCase()]?.operationId, contract.path).toBe(contract.operationId);
    }
  });

  it('describes the ledger POST from its schema', () => {
    const post = document.paths['/api/v1/replay/{run_id}/results']!.post;
    const schema = post.requestBody.content['application/json'].schema;
    expect(schema.properties.status.enum).toEqual(['success', 'partial', 'failed']);
    expect(schema.required).toEqual(expect.arrayContaining(['status', 'actions_replayed', 'actions_total', 'divergences', 'cost_savings']));
    expect(post.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'run_id', in: 'path', required: true }),
        expect.objectContaining({ name: 'idempotency-key', in: 'header', required: false }),
      ]),
    );
    expect(post.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '401', '409', '422']));
  });

  it('documents paging limits and public routes', () => {
    const history = document.paths['/api/v1/replay/history']!.get;
    const limit = history.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema.maximum).toBe(200);
    expect(limit.required).toBe(false);
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['skip', 'limit', 'cursor']));
    expect(document.paths['/health']!.get.security).toEqual([]);
  });
});
