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
  /**
   * `false` leaves the route out of the OpenAPI document: it serves the page
   * to browsers (HTML, scripts, styles), which is no API operation to generate a client for.
   * @default true
   */
  documented?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
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
