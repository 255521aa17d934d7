import type { z } from 'zod';
import type { HttpMethod } from '#lib/catalogue.ts';
import type { ApiFamily } from './error-shapes.ts';

/**
 * What one route accepts and answers. The handler validates with it and the
 * OpenAPI document is generated from it, so the two cannot disagree.
 */
export interface RouteContract<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  H extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: HttpMethod;
  path: string;
  family: ApiFamily;
  operationId: string;
  summary: string;
  tags: string[];
  /** `false` only for public routes; must match the catalogue. */
  auth: boolean;
  request: { body?: B; query?: Q; path?: P; headers?: H };
  /** Largest accepted body, in bytes (bodies are refused with a 413 above it). */
  maxBodyBytes?: number;
  /** What a 415 says on this route (a body that is not JSON), when the generic words would not help. */
  unsupportedMediaType?: string;
  /**
   * `false` leaves the route out of the OpenAPI document: it serves the page
   * to browsers (HTML, scripts, styles), which is no API operation to generate a client for.
   * @default true
   */
  documented?: boolean;
  /**
   * A valid request: shown in the OpenAPI document, and replayed (and
   * mutated) by the contract tests. Required for a route with a body or
   * path parameters (a test says so).
   */
  example?: RequestExample;
  /**
   * What the route itself can answer, besides what the shared frame answers
   * for every route (401, 413, 415, 422/400, 500, 503, and 405 on its path,
   * which the OpenAPI generator adds): its 2xx, and the 400/404/409 its logic
   * throws. The contract tests make a route produce each of them.
   */
  responses: Record<number, ResponseContract>;
}

export interface ResponseContract {
  description: string;
  schema?: z.ZodType;
  /**
   * What the body is when it is not JSON (the any-type wildcard for an
   * answer passed on as it came, as the recording proxy's), documented
   * without a schema.
   * @default 'application/json'
   */
  contentType?: string;
}

/** A request as a client sends it: path and query values as text, the body as JSON. */
export interface RequestExample {
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Identity helper that keeps the literal types of a contract. */
export function defineContract<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  H extends z.ZodType | undefined = undefined,
>(contract: RouteContract<B, Q, P, H>): RouteContract<B, Q, P, H> {
  return contract;
}

export type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
