import { reproducibilityLimits as L } from './limits.ts';
import { similarity } from './similarity.ts';

/** One attempt's answer, as the comparison sees it. */
export interface AnsweredAttempt {
  index: number;
  body: string;
}

export type NoiseReason = 'envelope' | 'volatile' | 'ignored' | 'outside_output';

export interface AttemptComparison {
  index: number;
  result: 'pass' | 'fail';
  /** Where it differs from the reference, after noise (at most the limit). */
  diverging_paths: string[];
  diverging_paths_total: number;
  /** 1 for equal outputs; for different ones, how alike their text is (0–1). */
  similarity: number;
}

export interface RunComparison {
  /** The attempt the others are compared with: attempt 1, or the first that answered. */
  reference: number | null;
  attempts: AttemptComparison[];
  divergent_paths: { path: string; attempts: number }[];
  noise_paths: { path: string; attempts: number; reason: NoiseReason }[];
  /** What the comparison took as each attempt's output. */
  output_kind: 'openai_choices' | 'json' | 'text' | null;
}

/** Fields of a response envelope that change on every call of a real API. */
const ENVELOPE_FIELDS = new Set([
  'id',
  'created',
  'created_at',
  'system_fingerprint',
  'request_id',
  'trace_id',
  'timestamp',
  'time',
  'latency',
  'latency_ms',
  'duration',
  'duration_ms',
  'elapsed',
  'elapsed_ms',
  'took',
  'took_ms',
  'timing',
  'timings',
  'processing_ms',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** Provider ids: a short prefix and a long random tail (chatcmpl-9x…, msg_01…, req_…). */
const PREFIXED_ID = /^[a-z]{2,12}[-_][A-Za-z0-9_-]{12,}$/;
const TIME_KEY = /(^|_)(at|time|ts|timestamp|date|created|updated)$|(At|Time|Timestamp|Date)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An answer's body read once: parsed JSON, or text. */
interface Parsed {
  json: Json | undefined;
  text: string;
}

/**
 * Compares every answered attempt with the reference (attempt 1, or the
 * first that answered): JSON bodies path by path, text bodies whole. What
 * differs in an envelope field, in a value that looks volatile on both sides
 * (a timestamp, a UUID, a provider id), at an ignored path, or outside the
 * output of an OpenAI-style answer (`choices[].message`) is noise, reported
 * but not counted; any other difference makes the attempt `fail`.
 */
export function compareAttempts(answered: readonly AnsweredAttempt[], ignorePaths: readonly string[] = []): RunComparison {
  const sorted = [...answered].sort((a, b) => a.index - b.index);
  const reference = sorted[0];
  if (!reference) return { reference: null, attempts: [], divergent_paths: [], noise_paths: [], output_kind: null };
  const ignored = ignoreMatchers(ignorePaths);
  const referenceParsed = parse(reference.body);
  const kind = outputKindOf(referenceParsed);
  const divergent = new Map<string, number>();
  const noise = new Map<string, { attempts: number; reason: NoiseReason }>();
  const attempts: AttemptComparison[] = [{ index: reference.index, result: 'pass', diverging_paths: [], diverging_paths_total: 0, similarity: 1 }];

  for (const attempt of sorted.slice(1)) {
    const parsed = parse(attempt.body);
    const differences = differencesOf(referenceParsed, parsed);
    const diverging: string[] = [];
    for (const difference of differences) {
      const reason = noiseReason(difference, kind, ignored);
      if (reason) {
        const seen = noise.get(difference.path);
        noise.set(difference.path, { attempts: (seen?.attempts ?? 0) + 1, reason: seen?.reason ?? reason });
      } else {
        diverging.push(difference.path);
        divergent.set(difference.path, (divergent.get(difference.path) ?? 0) + 1);
      }
    }
    attempts.push({
      index: attempt.index,
      result: diverging.length ? 'fail' : 'pass',
      diverging_paths: diverging.slice(0, L.maxPathsPerAttempt),
      diverging_paths_total: diverging.length,
      similarity: diverging.length ? round(similarity(outputText(referenceParsed, kind), outputText(parsed, kind))) : 1,
    });
  }
  const byCount = <T extends { attempts: number; path: string }>(a: T, b: T) => b.attempts - a.attempts || (a.path < b.path ? -1 : 1);
  return {
    reference: reference.index,
    attempts,
    divergent_paths: [...divergent].map(([path, count]) => ({ path, attempts: count })).sort(byCount).slice(0, L.maxPathsPerRun),
    noise_paths: [...noise].map(([path, n]) => ({ path, attempts: n.attempts, reason: n.reason })).sort(byCount).slice(0, L.maxPathsPerRun),
    output_kind: kind,
  };
}

/**
 * Compares a recorded output (the session's answer) with an attempt's answer:
 * a recorded string with the answer's text (an OpenAI answer's first message
 * content), recorded JSON with the answer's output, after the same noise rules.
 */
export function compareWithRecorded(recorded: unknown, body: string, ignorePaths: readonly string[] = []) {
  const answer = parse(body);
  const kind = outputKindOf(answer);
  const ignored = ignoreMatchers(ignorePaths);
  if (typeof recorded === 'string') {
    const text = answerText(answer, kind);
    const matches = text.trim() === recorded.trim();
    return { matches, diverging_paths: matches ? [] : ['$'], similarity: matches ? 1 : round(similarity(recorded, text)) };
  }
  const recordedParsed: Parsed = { json: recorded as Json, text: JSON.stringify(recorded) ?? '' };
  const recordedKind = outputKindOf(recordedParsed);
  // A recorded message (not a whole answer) is compared with the answer's first message.
  const comparable = kind === 'openai_choices' && recordedKind !== 'openai_choices' ? { json: firstMessage(answer.json) as Json, text: '' } : answer;
  const diverging = differencesOf(recordedParsed, comparable)
    .filter((difference) => !noiseReason(difference, recordedKind, ignored))
    .map((difference) => difference.path);
  return {
    matches: diverging.length === 0,
    diverging_paths: diverging.slice(0, L.maxPathsPerAttempt),
    similarity: diverging.length ? round(similarity(recordedParsed.text, JSON.stringify(comparable.json ?? comparable.text))) : 1,
  };
}

/** The start of an answer, for tables. */
export function excerptOf(body: string): string {
  return body.length > L.outputExcerptChars ? `${body.slice(0, L.outputExcerptChars)}…` : body;
}

interface Difference {
  path: string;
  /** The top-level key the difference is under (null at the root). */
  top: string | null;
  /** The key it sits at. */
  key: string | null;
  a: Json | undefined;
  b: Json | undefined;
}

function parse(body: string): Parsed {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { json: JSON.parse(trimmed) as Json, text: body };
    } catch {
      // not JSON: compared as text
    }
  }
  return { json: undefined, text: body };
}

function outputKindOf(parsed: Parsed): RunComparison['output_kind'] {
  if (parsed.json === undefined) return 'text';
  const choices = isObject(parsed.json) ? parsed.json.choices : undefined;
  if (Array.isArray(choices) && choices.length > 0 && choices.every((c) => isObject(c) && isObject(c.message))) return 'openai_choices';
  return 'json';
}

function differencesOf(a: Parsed, b: Parsed): Difference[] {
  if (a.json === undefined || b.json === undefined) {
    return a.json === undefined && b.json === undefined && a.text === b.text ? [] : [{ path: '$', top: null, key: null, a: a.text, b: b.text }];
  }
  const out: Difference[] = [];
  walk(a.json, b.json, '', null, null, out);
  return out;
}

function walk(a: Json | undefined, b: Json | undefined, path: string, top: string | null, key: string | null, out: Difference[]): void {
  if (a === b) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, top, key, out);
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      walk(a[name], b[name], path ? `${path}.${segment(name)}` : segment(name), top ?? name, name, out);
    }
    return;
  }
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return;
  out.push({ path: path || '$', top, key, a, b });
}

function noiseReason(difference: Difference, kind: RunComparison['output_kind'], ignored: ((path: string) => boolean)[]): NoiseReason | undefined {
  if (ignored.some((matches) => matches(difference.path))) return 'ignored';
  if (difference.top !== null && difference.top === difference.path && ENVELOPE_FIELDS.has(difference.top)) return 'envelope';
  if (looksVolatile(difference.a, difference.key) && looksVolatile(difference.b, difference.key)) return 'volatile';
  if (kind === 'openai_choices' && !/^choices\[\d+\]\.message(\.|\[|$)/.test(difference.path)) return 'outside_output';
  return undefined;
}

function looksVolatile(value: Json | undefined, key: string | null): boolean {
  if (typeof value === 'string') return UUID.test(value) || (ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) || (key !== null && /id$/i.test(key) && PREFIXED_ID.test(value));
  // Epoch seconds or milliseconds, under a key that names a time.
  if (typeof value === 'number' && key !== null && TIME_KEY.test(key)) return (value > 1e9 && value < 1e10) || (value > 1e12 && value < 1e13);
  return false;
}

/**
 * `ignore_paths` entries: dotted paths as reported (`choices[0].message.content`),
 * where `[*]` matches any index and `*` any one key; a path also covers what lies below it.
 */
function ignoreMatchers(paths: readonly string[]): ((path: string) => boolean)[] {
  return paths.map((raw) => {
    const source = raw
      .replace(/^\$\.?/, '')
      .split(/(\[\*\]|\*)/)
      .map((part) => (part === '[*]' ? '\\[\\d+\\]' : part === '*' ? '[^.\\[]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    const pattern = new RegExp(`^${source}($|[.[])`);
    return (path: string) => pattern.test(path);
  });
}

function outputText(parsed: Parsed, kind: RunComparison['output_kind']): string {
  if (kind === 'openai_choices' && isObject(parsed.json)) return JSON.stringify((parsed.json.choices as Json[]).map((c) => (c as { message: Json }).message));
  return parsed.json === undefined ? parsed.text : JSON.stringify(parsed.json);
}

/** The text of an answer: an OpenAI answer's first message content, a top-level output/answer/text/content string, or the body. */
function answerText(parsed: Parsed, kind: RunComparison['output_kind']): string {
  if (kind === 'openai_choices') {
    const content = (firstMessage(parsed.json) as { content?: Json } | undefined)?.content;
    if (typeof content === 'string') return content;
  }
  if (isObject(parsed.json)) {
    for (const field of ['output', 'answer', 'text', 'content', 'response']) {
      const value = parsed.json[field];
      if (typeof value === 'string') return value;
    }
  }
  return parsed.text;
}

function firstMessage(json: Json | undefined): Json | undefined {
  return isObject(json) && Array.isArray(json.choices) && isObject(json.choices[0]) ? json.choices[0].message : undefined;
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function segment(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(name) ? name : JSON.stringify(name);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
