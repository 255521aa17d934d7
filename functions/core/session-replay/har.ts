import { InvalidRequestError } from '../errors.ts';
import { storeBody } from './bodies.ts';
import { HEADER_NAME, redact, withoutHopByHop } from './headers.ts';
import type { RecordingRecord, SessionRecord } from './model.ts';
import { bodyKey } from './object-keys.ts';

/** The parts of a HAR 1.2 document an import reads (the contract validates the whole shape). */
export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: { method: string; url: string; headers: { name: string; value: string }[]; postData?: { mimeType?: string | undefined; text?: string | undefined; encoding?: string | undefined } | undefined };
  response: { status: number; headers: { name: string; value: string }[]; content: { text?: string | undefined; encoding?: string | undefined } };
}

export interface ImportPlace {
  projectId: string;
  endpointId: string;
  sessionId: string;
  upstreamUrl: string;
  redactHeaders: readonly string[];
}

/**
 * A HAR's entries as one session's recordings, in `startedDateTime` order
 * (ties keep the file's order), redacted like live traffic. Paths under the
 * endpoint's upstream URL are taken relative to it, as the proxy records them.
 */
export function harToRecordings(entries: HarEntry[], at: ImportPlace, newRecordingId: (atMs: number) => string, nowIso: string) {
  const timed = entries.map((entry, i) => {
    const ms = Date.parse(entry.startedDateTime);
    if (Number.isNaN(ms)) throw new InvalidRequestError(`log.entries[${i}].startedDateTime is not a date-time`, `log.entries.${i}.startedDateTime`);
    return { entry, ms, i };
  });
  timed.sort((a, b) => a.ms - b.ms || a.i - b.i);

  const objects: { key: string; bytes: Buffer }[] = [];
  const recordings: RecordingRecord[] = timed.map(({ entry, ms, i }) => {
    const id = newRecordingId(ms);
    const url = parseUrl(entry.request.url, i);
    const place = { projectId: at.projectId, endpointId: at.endpointId, sessionId: at.sessionId, recordingId: id };
    const requestBody = storeBody(harBytes(entry.request.postData?.text, entry.request.postData?.encoding), bodyKey(place, 'request'));
    const responseBody = storeBody(harBytes(entry.response.content.text, entry.response.content.encoding), bodyKey(place, 'response'));
    for (const stored of [requestBody, responseBody]) if (stored.object) objects.push(stored.object);
    const requestHeaders = redact(withoutHopByHop(harHeaders(entry.request.headers)), at.redactHeaders);
    const responseHeaders = redact(withoutHopByHop(harHeaders(entry.response.headers)), at.redactHeaders);
    return {
      id,
      endpoint_id: at.endpointId,
      session_id: at.sessionId,
      method: entry.request.method.toUpperCase(),
      path: relativePath(url, at.upstreamUrl),
      query: url.search.slice(1),
      request_headers: requestHeaders.headers,
      request_body: requestBody.body,
      response_status: entry.response.status,
      response_headers: responseHeaders.headers,
      response_body: responseBody.body,
      started_at_ms: ms,
      duration_ms: Math.max(0, Math.round(entry.time)),
      redacted_headers: [...new Set([...requestHeaders.redacted, ...responseHeaders.redacted])].sort(),
      upstream_error: null,
      source: 'har' as const,
    };
  });

  const session: SessionRecord = {
    id: at.sessionId,
    endpoint_id: at.endpointId,
    grouped_by: 'import',
    client_session_id: null,
    request_count: recordings.length,
    first_at_ms: recordings[0]?.started_at_ms ?? Date.parse(nowIso),
    last_at_ms: recordings.at(-1)?.started_at_ms ?? Date.parse(nowIso),
    created_at: nowIso,
  };
  return { session, recordings, objects };
}

function parseUrl(raw: string, i: number): URL {
  try {
    return new URL(raw);
  } catch {
    throw new InvalidRequestError(`log.entries[${i}].request.url is not an absolute URL`, `log.entries.${i}.request.url`);
  }
}

function relativePath(url: URL, upstream: string): string {
  const base = new URL(upstream);
  const prefix = base.pathname.replace(/\/$/, '');
  if (url.origin === base.origin && prefix && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) {
    return url.pathname.slice(prefix.length) || '/';
  }
  return url.pathname;
}

/** Header lists as a map: HTTP/2 pseudo-headers dropped, repeated names joined as HTTP does. */
function harHeaders(list: { name: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of list) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(lower)) continue;
    out[lower] = out[lower] === undefined ? value : `${out[lower]}${lower === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

function harBytes(text: string | undefined, encoding: string | undefined): Buffer | null {
  if (text === undefined || text === '') return null;
  return encoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}
