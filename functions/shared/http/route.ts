import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { DependencyUnavailableError, PayloadTooLargeError, ValidationFailedError } from '#core/errors.ts';
import { asDependencyUnavailable, dependencyFailureOf } from '../dependency-failure.ts';
import { logger } from '../logger.ts';
import { callerOf, type Caller } from './caller.ts';
import type { Parsed, RouteContract } from './contract.ts';
import { renderError, type ApiFamily } from './error-shapes.ts';
import { jsonBody } from './json-body.ts';
import { textIssues } from './json-value.ts';
import { parseBody, strictModeOf, withWarnings } from './unknown-fields.ts';
import { parseRequestPart } from './validation.ts';

/** Default body limit for JSON routes; a contract may lower or raise it. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RouteRequest<B, Q, P, H> {
  body: B;
  query: Q;
  path: P;
  /** The validated headers of the contract (names lower-case). */
  header: H;
  /** Present on every authenticated route. */
  caller: Caller;
  headers: Record<string, string | undefined>;
  correlationId: string;
  event: APIGatewayProxyEventV2;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  /** Sent as is instead of a JSON `body` (the route sets its content-type); base64 for binary or compressed bytes. */
  rawBody?: { data: string; isBase64Encoded: boolean };
  headers?: Record<string, string>;
  /** `set-cookie` values, each sent as its own header. */
  cookies?: string[];
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;
type Internal = { correlationId: string; family: ApiFamily };

/**
 * Wraps route logic in the HTTP frame every route shares: correlation id,
 * structured logging, auth from the authorizer context, body size limit,
 * JSON parsing held to the JSON value rules (`json-value.ts`), well-formed
 * path and query text, zod validation of path/query/header/body, unknown
 * `/api/v1` body fields reported (or refused when strict), and errors
 * rendered in the route's API family shape.
 */
export function httpRoute<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
  H extends z.ZodType | undefined,
>(
  contract: RouteContract<B, Q, P, H>,
  run: (request: RouteRequest<Parsed<B>, Parsed<Q>, Parsed<P>, Parsed<H>>) => Promise<RouteResponse>,
) {
  const maxBodyBytes = contract.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const chain = middy<Event, Result, Error, Context, Internal>()
    .use(frame(contract.family))
    .use(httpHeaderNormalizer());
  // Who is calling is settled before anything of the request is looked at.
  if (contract.auth) chain.use(authenticated());
  if (contract.request.body) {
    chain.use(bodyLimit(maxBodyBytes)).use(jsonBody(contract.unsupportedMediaType));
  }
  // `/api/v1` bodies tell the caller about fields they do not know (a warning, or a 422 when strict).
  const reportsUnknownFields = contract.family === 'v1' && contract.request.body !== undefined;
  return chain.handler(async (event, context) => {
    const { correlationId } = context as unknown as Internal;
    const caller = contract.auth ? callerOf(event) : (undefined as unknown as Caller);
    const { request } = contract;
    const textProblems = [...textIssues('path', event.pathParameters), ...textIssues('query', event.queryStringParameters)];
    if (textProblems.length > 0) throw new ValidationFailedError(textProblems);
    const { strict, query } = reportsUnknownFields ? strictModeOf(event) : { strict: false, query: event.queryStringParameters ?? {} };
    const parsedBody = request.body ? parseBody(request.body, event.body, { reportsUnknownFields, strict }) : undefined;
    const request_ = {
      body: parsedBody?.value as Parsed<B>,
      query: (request.query ? parseRequestPart('query', request.query, query) : undefined) as Parsed<Q>,
      path: (request.path ? parseRequestPart('path', request.path, event.pathParameters ?? {}) : undefined) as Parsed<P>,
      header: (request.headers ? parseRequestPart('header', request.headers, event.headers ?? {}) : undefined) as Parsed<H>,
      caller,
      headers: event.headers,
      correlationId,
      event,
    };
    if (caller) logger.appendKeys({ org_id: caller.orgId, project_id: caller.projectId });
    const response = await run(request_);
    return toResult(withWarnings(response, parsedBody?.warnings ?? []), correlationId);
  });
}

function frame(family: ApiFamily): MiddlewareObj<Event, Result, Error, Context> {
  return {
    before: async (request) => {
      const inbound = request.event.headers?.[CORRELATION_HEADER] ?? request.event.headers?.['X-Correlation-Id'];
      const correlationId =
        inbound && SAFE_CORRELATION_ID.test(inbound) ? inbound : request.event.requestContext?.requestId ?? request.context.awsRequestId;
      Object.assign(request.context, { correlationId, family });
      // A warm container must not log the previous caller's org and project on this request.
      logger.resetKeys();
      logger.addContext(request.context);
      logger.appendKeys({ correlation_id: correlationId, route: request.event.routeKey });
    },
    onError: async (request) => {
      const correlationId = (request.context as unknown as Partial<Internal>).correlationId ?? request.context.awsRequestId;
      const thrown = request.error;
      // A dependency that is down or throttling is a 503 to retry, not a 500.
      const error = asDependencyUnavailable(thrown) ?? thrown;
      const rendered = renderError(family, error, correlationId);
      if (error instanceof DependencyUnavailableError) {
        logger.warn('Dependency unavailable', { reason: dependencyFailureOf(thrown)?.reason ?? error.message, error: thrown as Error });
      } else if (rendered.status >= 500) {
        logger.error('Unhandled error', error as Error);
      } else {
        logger.info('Request refused', { status: rendered.status, reason: (error as Error).message });
      }
      const headers = error instanceof DependencyUnavailableError ? { 'retry-after': String(error.retryAfterSeconds) } : undefined;
      request.response = toResult({ status: rendered.status, body: rendered.body, ...(headers ? { headers } : {}) }, correlationId);
    },
  };
}

function authenticated(): MiddlewareObj<Event, Result> {
  return {
    before: async ({ event }) => {
      callerOf(event);
    },
  };
}

function bodyLimit(maxBytes: number): MiddlewareObj<Event, Result> {
  return {
    before: async ({ event }) => {
      const raw = event.body ?? '';
      const bytes = Buffer.byteLength(raw, event.isBase64Encoded ? 'base64' : 'utf8');
      if (bytes > maxBytes) throw new PayloadTooLargeError(maxBytes);
    },
  };
}

function toResult(response: RouteResponse, correlationId: string): Result {
  if (response.rawBody) {
    return {
      statusCode: response.status,
      headers: { [CORRELATION_HEADER]: correlationId, ...response.headers },
      body: response.rawBody.data,
      isBase64Encoded: response.rawBody.isBase64Encoded,
      ...(response.cookies?.length ? { cookies: response.cookies } : {}),
    };
  }
  return {
    statusCode: response.status,
    headers: {
      ...(response.body === undefined ? {} : { 'content-type': 'application/json' }),
      [CORRELATION_HEADER]: correlationId,
      ...response.headers,
    },
    body: response.body === undefined ? '' : JSON.stringify(response.body),
  };
}
