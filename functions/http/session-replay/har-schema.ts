import { z } from 'zod';
import { sessionReplayLimits as L } from '#core/session-replay/limits.ts';

/** Recording ids are time-ordered from the Unix epoch; a date past the year 9999 is no recording's. */
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');
const inRecordableRange = (ms: number): boolean => ms >= 0 && ms <= LATEST_MS;

/**
 * HAR 1.2 (what browsers' dev tools, mitmproxy and Charles export): the
 * fields an import reads are required and typed; the others are optional,
 * and exporters' own fields (HAR's `_name` convention) are let through.
 */
const nameValue = z.looseObject({ name: z.string(), value: z.string() });
const timing = z.number().min(-1);

const request = z.looseObject({
  method: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/, 'Must be an HTTP method'),
  url: z.string().min(1).max(16_384),
  httpVersion: z.string().optional(),
  headers: z.array(nameValue).max(500),
  cookies: z.array(nameValue).optional(),
  queryString: z.array(nameValue).optional(),
  postData: z
    .looseObject({
      mimeType: z.string().optional(),
      text: z.string().optional(),
      encoding: z.string().optional(),
      params: z.array(z.looseObject({ name: z.string() })).optional(),
    })
    .optional(),
  headersSize: z.number().optional(),
  bodySize: z.number().optional(),
});

const response = z.looseObject({
  status: z.number().int().min(0).max(999),
  statusText: z.string().optional(),
  httpVersion: z.string().optional(),
  headers: z.array(nameValue).max(500),
  cookies: z.array(nameValue).optional(),
  content: z.looseObject({ size: z.number().optional(), mimeType: z.string().optional(), text: z.string().optional(), encoding: z.string().optional() }),
  redirectURL: z.string().optional(),
  headersSize: z.number().optional(),
  bodySize: z.number().optional(),
});

export const harEntrySchema = z.looseObject({
  startedDateTime: z.string().refine((text) => inRecordableRange(Date.parse(text)), { message: 'Must be an ISO 8601 date-time from 1970-01-01 to 9999-12-31', params: { type: 'datetime_parsing' } }),
  time: timing,
  request,
  response,
  cache: z.looseObject({}).optional(),
  timings: z.looseObject({ send: timing.optional(), wait: timing.optional(), receive: timing.optional() }).optional(),
});

export const harSchema = z.looseObject({
  log: z.looseObject({
    version: z.string(),
    creator: z.looseObject({ name: z.string(), version: z.string() }).optional(),
    entries: z.array(harEntrySchema).min(1, 'A HAR to import needs at least one entry').max(L.maxImportEntries, `A HAR import holds at most ${L.maxImportEntries} entries`),
  }),
});
