import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationFailedError } from '#core/errors.ts';
import type { RouteResponse } from './route.ts';
import { toFieldIssue } from './validation.ts';

export type FieldPath = (string | number)[];

/** Unknown fields reported per request; the rest are not looked for. */
export const MAX_UNKNOWN_FIELDS = 20;

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The fields of `value` that `schema` does not know and would drop without a
 * word: keys of plain (`z.object`) objects outside their shape. Strict objects
 * refuse such keys themselves and loose ones (`z.looseObject`, records) keep
 * them, so neither is reported. Walks the input side of pipes and transforms.
 */
export function unknownFields(schema: z.ZodType, value: unknown): FieldPath[] {
  const found: FieldPath[] = [];
  walk(schema, value, [], found);
  return found.slice(0, MAX_UNKNOWN_FIELDS);
}

function walk(schema: z.ZodType, value: unknown, path: FieldPath, found: FieldPath[]): void {
  if (found.length >= MAX_UNKNOWN_FIELDS) return;
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      if (!isPlainObject(value)) return;
      const shape = def.shape as Record<string, z.ZodType>;
      const catchall = def.catchall as z.ZodType | undefined;
      for (const [key, item] of Object.entries(value)) {
        if (Object.hasOwn(shape, key)) walk(shape[key]!, item, [...path, key], found);
        else if (catchall) walk(catchall, item, [...path, key], found);
        else found.push([...path, key]);
      }
      return;
    }
    case 'record':
      if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) walk(def.valueType as z.ZodType, item, [...path, key], found);
      return;
    case 'array':
      if (Array.isArray(value)) value.forEach((item, i) => walk(def.element as z.ZodType, item, [...path, i], found));
      return;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      walk(def.innerType as z.ZodType, value, path, found);
      return;
    case 'pipe':
      walk(def.in as z.ZodType, value, path, found);
      return;
    case 'lazy':
      walk((def.getter as () => z.ZodType)(), value, path, found);
      return;
    case 'union': {
      // The option the value is valid for; none (an invalid value) reports nothing.
      const option = (def.options as z.ZodType[]).find((candidate) => candidate.safeParse(value).success);
      if (option) walk(option, value, path, found);
      return;
    }
    default:
      return;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `divergence_details[0].recordd`: a field as a user writes it. */
export function fieldName(path: FieldPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** The header and query parameter that turn unknown fields from warnings into a 422. */
export const STRICT_HEADER = 'reprise-strict';
export const STRICT_QUERY = 'strict';

/**
 * Whether the request asks for strict field validation (`Reprise-Strict: true`
 * or `?strict=true`; a 422 for any other value than `true` or `false`), and
 * its query without that parameter.
 */
export function strictModeOf(event: Pick<APIGatewayProxyEventV2, 'headers' | 'queryStringParameters'>): { strict: boolean; query: Record<string, string | undefined> } {
  const { [STRICT_QUERY]: fromQuery, ...query } = event.queryStringParameters ?? {};
  let strict = false;
  for (const [part, name, value] of [
    ['header', STRICT_HEADER, event.headers?.[STRICT_HEADER]],
    ['query', STRICT_QUERY, fromQuery],
  ] as const) {
    if (value === undefined) continue;
    const normalized = value.trim().toLowerCase();
    if (normalized !== 'true' && normalized !== 'false') {
      throw new ValidationFailedError([{ loc: [part, name], msg: 'Input should be true or false', type: 'bool_parsing', input: value }]);
    }
    strict ||= normalized === 'true';
  }
  return { strict, query };
}

/**
 * Validates a body; on `/api/v1` (`reportsUnknownFields`), fields the schema
 * does not know become warnings, or `extra_forbidden` issues in strict mode
 * (as Kubernetes' field validation does), reported with the body's other issues.
 */
export function parseBody(schema: z.ZodType, raw: unknown, options: { reportsUnknownFields: boolean; strict: boolean }): { value: unknown; warnings: string[] } {
  const unknown = options.reportsUnknownFields ? unknownFields(schema, raw) : [];
  const extra = options.strict
    ? unknown.map((path) => ({ loc: ['body', ...path], msg: 'Extra inputs are not permitted', type: 'extra_forbidden', input: valueAt(raw, path) }))
    : [];
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success || extra.length > 0) {
    throw new ValidationFailedError([...(result.success ? [] : result.error.issues.map((issue) => toFieldIssue('body', issue))), ...extra]);
  }
  return { value: result.data, warnings: unknown.map(unknownFieldWarning) };
}

function valueAt(root: unknown, path: FieldPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

/** Warnings go in a `Warning` header, and in a `warnings` list of a JSON object body. */
export function withWarnings(response: RouteResponse, warnings: string[]): RouteResponse {
  if (warnings.length === 0) return response;
  const body = response.body;
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body) && response.rawBody === undefined;
  return {
    ...response,
    ...(isObject ? { body: { ...(body as Record<string, unknown>), warnings } } : {}),
    headers: { ...response.headers, warning: warningHeader(warnings) },
  };
}

/** What a request with unknown fields is told: one warning per field. */
function unknownFieldWarning(path: FieldPath): string {
  return `unknown field: ${fieldName(path)}`;
}

/**
 * An RFC 7234 `Warning` header value: `299 - "<text>"` per warning, comma
 * separated. Texts are quoted as JSON strings with everything outside
 * printable ASCII escaped, so no field name can break or forge a header.
 */
export function warningHeader(warnings: readonly string[]): string {
  return warnings.map((text) => `299 - ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text).replace(/[^\x20-\x7e]/g, escapeChar)}`).join(', ');
}

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
