import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { contracts } from '../../../functions/http/contracts.ts';
import { buildOpenApiDocument } from '../../../functions/http/openapi-document.ts';
import type { RequestExample, RouteContract } from '../../../functions/shared/http/contract.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../../functions/shared/http/route.ts';
import { DETACHED_ROUTES_ENV, queues, secrets } from '../../../lib/catalogue.ts';
import { localQueueUrl } from '../../../lib/local/provision.ts';

/** Every documented operation: what the contract tests make answer each of its statuses. */
export const documented = contracts.filter((contract) => contract.documented !== false);

export type Document = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: Record<string, any> };

/** A request as the tests send it: `body` is JSON-encoded, `raw` is sent as is. */
export interface TestRequest {
  method: string;
  /** With each `{param}` filled in. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
  /** `false`: no Authorization header. */
  auth?: boolean;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** Fills a path template's `{name}` / `{name+}` with values (URL-encoded unless `raw`). */
export function fillPath(template: string, values: Record<string, string> = {}, raw = false): string {
  return template.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
    const value = values[name] ?? 'x';
    return raw ? value : encodeURIComponent(value);
  });
}

/** The contract's example as a request. */
export function exampleRequest(contract: RouteContract, example: RequestExample = contract.example ?? {}): TestRequest {
  return {
    method: methodOf(contract),
    path: fillPath(contract.path, example.path),
    ...(example.query ? { query: example.query } : {}),
    ...(example.headers ? { headers: example.headers } : {}),
    ...(contract.request.body ? { body: example.body } : {}),
  };
}

export function maxBodyBytesOf(contract: RouteContract): number {
  return contract.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
}

/** Sends a request to the gateway, with `apiKey` unless `auth: false`. */
export async function send(baseUrl: string, apiKey: string, request: TestRequest): Promise<TestResponse> {
  const url = new URL(baseUrl);
  url.pathname = request.path;
  url.search = new URLSearchParams(request.query ?? {}).toString();
  const headers: Record<string, string> = { ...(request.auth === false ? {} : { authorization: `Bearer ${apiKey}` }) };
  let body = request.raw;
  if (body === undefined && request.body !== undefined) body = JSON.stringify(request.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, request.headers);
  const response = await fetch(url, { method: request.method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/**
 * Validates real responses against the OpenAPI document with Ajv (JSON
 * Schema 2020-12, the dialect of OpenAPI 3.1, with its formats): the schema
 * of an operation's status, or of a component response.
 */
export function openApiValidator(document: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  const compiled = new Map<string, ValidateFunction>();
  const pointer = (...tokens: string[]) => tokens.map((token) => encodeURIComponent(token.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');
  const validatorAt = (ref: string) => {
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi.json#/${ref}` });
      compiled.set(ref, validate);
    }
    return validate;
  };
  const errorsOf = (validate: ValidateFunction, body: unknown) => (validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`));
  return {
    /** Why `body` is not what the document says `method path` answers with `status` (empty when it is). */
    operationErrors(path: string, method: string, status: number, body: unknown): string[] {
      const responses = document.paths[path]?.[method.toLowerCase()]?.responses;
      if (!responses?.[String(status)]) return [`${method} ${path} does not document ${status} (documents ${Object.keys(responses ?? {}).join(', ')})`];
      return errorsOf(validatorAt(pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')), body);
    },
    componentErrors(response: string, body: unknown): string[] {
      return errorsOf(validatorAt(pointer('components', 'responses', response, 'content', 'application/json', 'schema')), body);
    },
  };
}

export const openApiDocument = () => buildOpenApiDocument() as unknown as Document;

/**
 * The environment the contract tests need, set before the first request
 * reaches a handler (handlers read it when they load); returns the function
 * that restores it:
 * - detached-replay queues of the file's own (a route and the page queue), so
 *   that a 202, which leaves a page message behind, cannot reach another
 *   file's queues, and requests that answer 202 at once (budget 0);
 * - loopback upstreams and targets allowed, as `npm start` can, for the
 *   recording proxy to forward to a local server;
 * - the model providers full-fidelity runs are created against (never called:
 *   those runs are scheduled ahead), and a chunk queue of the file's own.
 */
export async function contractTestEnvironment(label: string): Promise<() => void> {
  const sqs = new SQSClient({});
  const create = async (name: string) => {
    const queueName = `${name}-${label}-${Date.now()}`;
    await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    return localQueueUrl(process.env.AWS_ENDPOINT_URL_SQS!, queueName);
  };
  const names = [DETACHED_ROUTES_ENV, queues.detachedPages.envName, 'DETACHED_INLINE_BUDGET_MS', 'REPRISE_ALLOW_LOOPBACK_TARGETS', secrets.providers.localValueEnvName, queues.replayChunks.envName];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  process.env[DETACHED_ROUTES_ENV] = JSON.stringify({ 'example-ingest': { queue_url: await create('contract-route') } });
  process.env[queues.detachedPages.envName] = await create('contract-pages');
  process.env.DETACHED_INLINE_BUDGET_MS = '0';
  process.env.REPRISE_ALLOW_LOOPBACK_TARGETS = 'true';
  const nowhere = { base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-contract' };
  process.env[secrets.providers.localValueEnvName] = JSON.stringify({ openai: nowhere, anthropic: nowhere });
  process.env[queues.replayChunks.envName] = await create('contract-chunks');
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** The method a contract is exercised with: its own, or POST for an `ANY` route (the document lists it under each). */
export const methodOf = (contract: RouteContract) => (contract.method === 'ANY' ? 'POST' : contract.method);
