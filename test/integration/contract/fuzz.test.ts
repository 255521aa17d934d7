import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../../functions/http/contracts.ts';
import type { RouteContract } from '../../../functions/shared/http/contract.ts';
import { currentPageFiles } from '../../../functions/http/page/page-files.ts';
import { routes } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { createRouteMatcher } from '../../../lib/route-matcher.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';
import { contractTestEnvironment, openApiDocument, openApiValidator } from './support.ts';

/*
 * Arbitrary input at every route of the contracts list, through the local
 * gateway: no request may answer 5xx, and every answer of a documented
 * operation must be one the OpenAPI document describes. Fixed seed and a
 * bounded count, so a failure replays; a new route in `contracts` is fuzzed
 * from its example request without anything added here. FUZZ_RUNS and
 * FUZZ_SEED explore further (e.g. FUZZ_RUNS=1000 FUZZ_SEED=$RANDOM).
 */

const SEED = Number(process.env.FUZZ_SEED ?? 1414);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 32);

/** JSON text, with what JSON.stringify never writes: numbers past what a double or DynamoDB holds, lone surrogates, deep nesting. */
const rawJson: fc.Arbitrary<string> = fc.letrec<{ value: string; leaf: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(
    fc.constantFrom('null', 'true', 'false', '0', '-0', '1', '-1', '1.5', '2147483648', '1000000001'),
    fc.constantFrom('1e200', '-1e200', '1e-200', '1E126', '1e400', '9007199254740993', '0.1000000000000000055511151231257827', '123456789012345678901234567890'),
    fc.double().map((d) => (Number.isFinite(d) ? JSON.stringify(d) : '1e400')),
    fc.integer().map(String),
    fc.string({ unit: 'binary', maxLength: 12 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('""', '"x"', `"${'x'.repeat(300)}"`, `"${'é'.repeat(3_000)}"`, '"2026-02-30T00:00:00Z"', '"\\ud800"', '"usage:1"', '"managed"'),
    fc.constant(`${'['.repeat(40)}${']'.repeat(40)}`),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('', '__proto__', 'constructor', 'status', 'events', 'releases')), tie('value')), { maxLength: 4 })
    .map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
})).value;

const PLACEHOLDER = 'fuzz-placeholder-5d1c';

/** Every place in a JSON value (its own path included), to put something else there. */
function placesOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const places = [path];
  if (Array.isArray(value)) value.forEach((item, i) => places.push(...placesOf(item, [...path, i])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) places.push(...placesOf(item, [...path, key]));
  return places;
}

/** The example with the value at `place` replaced by `raw` JSON text (or a new key `extra` added there). */
function mutate(example: unknown, place: (string | number)[], raw: string, extra?: string): string {
  const copy = structuredClone(example) as Record<string | number, unknown>;
  if (place.length === 0 && extra === undefined) return raw;
  const parent = place.slice(0, extra === undefined ? -1 : undefined).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  if (extra !== undefined) {
    if (parent === null || typeof parent !== 'object') return raw;
    parent[Array.isArray(parent) ? parent.length : extra] = PLACEHOLDER;
  } else {
    parent[place.at(-1)!] = PLACEHOLDER;
  }
  return JSON.stringify(copy).replace(JSON.stringify(PLACEHOLDER), raw);
}

/** Percent-encodes every UTF-16 unit of text as bytes, lone surrogates as their 3-byte (WTF-8) form. */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(char).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return out;
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
  fc.constantFrom('', ' ', '..', '.', '%', '%ff', '0', '-1', '1e3', 'true', 'x'.repeat(1_000), 'null', '2026-02-30T00:00:00Z', 'rpl_01jz7k3m9q2w4e6r8t0y1u3i5o'),
);

interface FuzzRequest {
  method: string;
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string;
}

function requestsFor(contract: RouteContract): fc.Arbitrary<FuzzRequest> {
  const example = contract.example ?? {};
  const names = [...contract.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
  const path = fc.record(Object.fromEntries(names.map((name) => [name, fc.oneof(fc.constant(example.path?.[name] ?? 'x'), text)]))) as fc.Arbitrary<Record<string, string>>;
  const queryNames = [...Object.keys(example.query ?? {}), 'limit', 'cursor', 'skip', 'strict', 'days', 'status', 'deployment'];
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...queryNames), text), fc.oneof(text, fc.constantFrom(...Object.values(example.query ?? { limit: '10' })))), { maxLength: 3 });
  const headers = fc.record(
    { 'reprise-strict': fc.constantFrom('true', 'false', 'maybe'), 'idempotency-key': fc.stringMatching(/^[\x21-\x7e]{0,300}$/) },
    { requiredKeys: [] },
  );
  // An ANY route (the recording proxy) is the same operation under every method.
  const method = contract.method === 'ANY' ? fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') : fc.constant(contract.method);
  if (!contract.request.body) return fc.record({ method, path, query, headers });
  const places = placesOf(example.body);
  const body = fc.oneof(
    // The example with one value replaced, or one unknown field added, somewhere.
    fc.tuple(fc.constantFrom(...places), rawJson).map(([place, raw]) => mutate(example.body, place, raw)),
    fc.tuple(fc.constantFrom(...places), rawJson, fc.string({ unit: 'binary', maxLength: 10 })).map(([place, raw, key]) => mutate(example.body, place, raw, key)),
    rawJson,
    fc.constantFrom('', '{', 'null', '[]', '{}', 'not json', JSON.stringify(example.body).slice(0, -1)),
    fc.constant(JSON.stringify(example.body)),
  );
  return fc.record({ method, path, query, headers, body });
}

const document = openApiDocument();
const validator = openApiValidator(document);
let gateway: HttpGateway;
let tenant: TestTenant;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = await contractTestEnvironment('fuzz');
  gateway = await startHttpGateway({ port: 0 });
  tenant = await createTenant('fuzz');
});
afterAll(async () => {
  await gateway.stop();
  restoreEnv();
});

async function sendFuzz(contract: RouteContract, request: FuzzRequest) {
  const path = contract.path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, greedy: string) =>
    greedy ? request.path[name]!.split('/').map(percentEncode).join('/') : percentEncode(request.path[name]!),
  );
  const query = request.query.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
  const response = await fetch(`${gateway.url}${path}${query ? `?${query}` : ''}`, {
    method: request.method,
    headers: { authorization: `Bearer ${tenant.apiKey}`, ...request.headers, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const body = await response.text();
  // The route the gateway served, which a fuzzed parameter may have changed (an empty segment, a "/").
  const served = matchRoute(request.method, new URL(`http://local${path}`).pathname);
  const answeredBy = served && contracts.find((c) => c.method === served.route.method && c.path === served.route.path);
  return { status: response.status, body, contentType: response.headers.get('content-type') ?? '', answeredBy, method: request.method };
}

const matchRoute = createRouteMatcher(routes);
/** Without `npm run build` the page routes answer 503 "not built", whatever the request. */
const pageBuilt = currentPageFiles() !== undefined;

describe('arbitrary input at every route of the contracts list', () => {
  it.each(contracts.map((contract) => [contract.operationId, contract] as const))('%s never answers 5xx, and answers only what the document says', async (_id, contract) => {
    await fc.assert(
      fc.asyncProperty(requestsFor(contract), async (request) => {
        const response = await sendFuzz(contract, request);
        const notBuilt = contract.documented === false && !pageBuilt && response.status === 503;
        if (!notBuilt) expect(response.status, response.body.slice(0, 500)).toBeLessThan(500);
        const { answeredBy } = response;
        if (answeredBy?.documented === false) return;
        expect(response.contentType).toMatch(/^application\/json/);
        const parsed = JSON.parse(response.body) as unknown;
        if (!answeredBy) {
          // The $default route: a 404 or 405 in the family shape.
          expect([404, 405]).toContain(response.status);
          expect(parsed).toEqual(expect.objectContaining(contract.family === 'v2' ? { error: expect.any(Object) } : { error_code: expect.any(String) }));
          return;
        }
        expect(validator.operationErrors(answeredBy.path, response.method, response.status, parsed), response.body.slice(0, 500)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
  });
});
