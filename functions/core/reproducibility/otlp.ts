import { sanitizeId } from './ids.ts';
import { reproducibilityLimits as L } from './limits.ts';
import type { ChatMessage, SessionEvent } from './session.ts';

/** The events an OTLP export holds for one session. */
export interface OtlpSessionBatch {
  session_id: string;
  agent_id: string;
  started_at: string;
  events: (SessionEvent & { span_id: string })[];
}

export interface OtlpMapping {
  sessions: OtlpSessionBatch[];
  /** Spans that carried something but could not be kept (an event over the size limit). */
  rejected: number;
  rejectedReason?: string;
  spans: number;
}

type Attributes = Record<string, unknown>;
interface Span {
  traceId: string;
  spanId: string;
  start: string;
  /** The start in nanoseconds, as sent: spans of one millisecond keep their order. */
  startNanos: bigint;
  /** How many ancestors the span has in this export: of two spans that start together, the parent comes first. */
  depth: number;
  parentSpanId?: string | undefined;
  attributes: Attributes;
  resource: Attributes;
}

/**
 * Maps an OTLP/HTTP JSON export (ExportTraceServiceRequest) onto session
 * events, by the OpenTelemetry GenAI semantic conventions:
 *
 * - session: the span's `session.id` (else `gen_ai.conversation.id`), else
 *   one carried by another span of its trace, else the trace id;
 * - agent: `gen_ai.agent.id`, else `gen_ai.agent.name` (of the span or of its
 *   trace), else the resource's `service.name`;
 * - a span with `gen_ai.request.model` is an LLM call: `gen_ai.input.messages`
 *   (and `gen_ai.system_instructions`) become an `llm_request`, with the
 *   `gen_ai.request.*` parameters; `gen_ai.output.messages` an `llm_response`;
 * - any other span with `gen_ai.input.messages` or `input.value` is the
 *   agent's turn: its last user message (or `input.value`) is a
 *   `user_input`, its `gen_ai.output.messages` (or `output.value`) an `agent_output`.
 *
 * Events are ordered by span start time (to the nanosecond).
 */
export function mapOtlpExport(request: unknown): OtlpMapping {
  const spans = spansOf(request);
  const traceSession = new Map<string, string>();
  const traceAgent = new Map<string, string>();
  for (const span of spans) {
    const session = text(span.attributes['session.id']) ?? text(span.attributes['gen_ai.conversation.id']);
    if (session && !traceSession.has(span.traceId)) traceSession.set(span.traceId, session);
    const agent = text(span.attributes['gen_ai.agent.id']) ?? text(span.attributes['gen_ai.agent.name']);
    if (agent && !traceAgent.has(span.traceId)) traceAgent.set(span.traceId, agent);
  }

  const batches = new Map<string, OtlpSessionBatch>();
  let rejected = 0;
  let rejectedReason: string | undefined;
  for (const span of spans) {
    const events = eventsOf(span);
    if (events.length === 0) continue;
    const tooLarge = events.some((event) => Buffer.byteLength(JSON.stringify(event)) > L.maxEventBytes);
    if (tooLarge) {
      rejected++;
      rejectedReason = `A span's GenAI content is over ${L.maxEventBytes} bytes as an event`;
      continue;
    }
    const rawSession = text(span.attributes['session.id']) ?? text(span.attributes['gen_ai.conversation.id']) ?? text(span.resource['session.id']) ?? traceSession.get(span.traceId) ?? span.traceId;
    const rawAgent = text(span.attributes['gen_ai.agent.id']) ?? text(span.attributes['gen_ai.agent.name']) ?? traceAgent.get(span.traceId) ?? text(span.resource['service.name']) ?? 'unknown_service';
    const sessionId = sanitizeId(rawSession, 'session');
    let batch = batches.get(sessionId);
    if (!batch) {
      batch = { session_id: sessionId, agent_id: sanitizeId(rawAgent, 'agent'), started_at: span.start, events: [] };
      batches.set(sessionId, batch);
    }
    if (span.start < batch.started_at) batch.started_at = span.start;
    batch.events.push(...events);
  }
  for (const batch of batches.values()) batch.events.sort((a, b) => (a.timestamp! < b.timestamp! ? -1 : a.timestamp! > b.timestamp! ? 1 : 0));
  return { sessions: [...batches.values()], rejected, ...(rejectedReason ? { rejectedReason } : {}), spans: spans.length };
}

function eventsOf(span: Span): (SessionEvent & { span_id: string })[] {
  const a = span.attributes;
  const base = { timestamp: span.start, span_id: span.spanId };
  const events: (SessionEvent & { span_id: string })[] = [];
  const input = messagesOf(a['gen_ai.input.messages']);
  const output = messagesOf(a['gen_ai.output.messages']);
  const model = text(a['gen_ai.request.model']);
  if (model) {
    const system = a['gen_ai.system_instructions'];
    const systemText = system === undefined ? undefined : typeof system === 'string' ? textOfParts(parseJson(system)) ?? system : textOfParts(system);
    const messages = [...(systemText ? [{ role: 'system', content: systemText }] : []), ...(input ?? [])];
    if (messages.length > 0) {
      const params = paramsOf(a);
      events.push({ ...base, type: 'llm_request', model: model.slice(0, L.maxModelChars), messages, ...(params ? { params } : {}) });
    }
    if (output?.length) events.push({ ...base, type: 'llm_response', output: outputOf(output) });
    return events;
  }
  const userText = text(a['input.value']) ?? [...(input ?? [])].reverse().find((m) => m.role === 'user' && typeof m.content === 'string')?.content;
  if (typeof userText === 'string' && userText.length > 0) events.push({ ...base, type: 'user_input', input: userText.slice(0, L.maxInputChars) });
  const outputValue = a['output.value'] !== undefined ? parseJson(a['output.value']) : output?.length ? outputOf(output) : undefined;
  if (outputValue !== undefined && events.length > 0) events.push({ ...base, type: 'agent_output', output: outputValue });
  return events;
}

/** GenAI messages (`{role, parts: [{type, content}]}`) as chat messages: text-only parts joined into `content`, others kept as parts. */
function messagesOf(value: unknown): ChatMessage[] | undefined {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (!Array.isArray(parsed)) return undefined;
  const messages: ChatMessage[] = [];
  for (const item of parsed) {
    if (!isRecord(item) || typeof item.role !== 'string') continue;
    if ('content' in item) {
      messages.push(item as ChatMessage);
      continue;
    }
    const { parts, ...rest } = item;
    const joined = textOfParts(parts);
    messages.push({ ...rest, role: item.role, content: joined ?? parts ?? null });
  }
  return messages;
}

function textOfParts(parts: unknown): string | undefined {
  if (!Array.isArray(parts) || parts.length === 0) return undefined;
  if (!parts.every((part) => isRecord(part) && part.type === 'text' && typeof part.content === 'string')) return undefined;
  return parts.map((part) => (part as { content: string }).content).join('');
}

/** One answer message's text, else the messages. */
function outputOf(messages: ChatMessage[]): unknown {
  if (messages.length === 1 && typeof messages[0]!.content === 'string') return messages[0]!.content;
  return messages;
}

const PARAMS = ['temperature', 'top_p', 'top_k', 'max_tokens', 'seed', 'frequency_penalty', 'presence_penalty', 'stop_sequences', 'choice.count'];
function paramsOf(attributes: Attributes): Record<string, unknown> | undefined {
  const params: Record<string, unknown> = {};
  for (const name of PARAMS) {
    const value = attributes[`gen_ai.request.${name}`];
    if (value !== undefined) params[name] = value;
  }
  return Object.keys(params).length ? params : undefined;
}

function spansOf(request: unknown): Span[] {
  const spans: Span[] = [];
  const resourceSpans = isRecord(request) && Array.isArray(request.resourceSpans) ? request.resourceSpans : [];
  for (const rs of resourceSpans) {
    if (!isRecord(rs)) continue;
    const resource = attributesOf(isRecord(rs.resource) ? rs.resource.attributes : undefined);
    for (const ss of Array.isArray(rs.scopeSpans) ? rs.scopeSpans : []) {
      if (!isRecord(ss)) continue;
      for (const span of Array.isArray(ss.spans) ? ss.spans : []) {
        if (!isRecord(span)) continue;
        const traceId = idOf(span.traceId);
        const spanId = idOf(span.spanId);
        if (!traceId || !spanId) continue;
        const parentSpanId = idOf(span.parentSpanId);
        spans.push({ traceId, spanId, parentSpanId, depth: 0, start: timeOf(span.startTimeUnixNano), startNanos: nanosOf(span.startTimeUnixNano), attributes: attributesOf(span.attributes), resource });
      }
    }
  }
  // SDKs often stamp spans to the millisecond (and export a child before its parent, as it ends first):
  // spans that start together are ordered parent before child.
  const byId = new Map(spans.map((span) => [`${span.traceId}/${span.spanId}`, span]));
  for (const span of spans) {
    const seen = new Set<Span>([span]);
    for (let parent = byId.get(`${span.traceId}/${span.parentSpanId}`); parent && !seen.has(parent); parent = byId.get(`${parent.traceId}/${parent.parentSpanId}`)) {
      seen.add(parent);
      span.depth++;
    }
  }
  return spans.sort((a, b) => (a.startNanos < b.startNanos ? -1 : a.startNanos > b.startNanos ? 1 : a.depth - b.depth));
}

function nanosOf(value: unknown): bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  return typeof value === 'string' && /^\d{1,20}$/.test(value) ? BigInt(value) : 0n;
}

function attributesOf(list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list) if (isRecord(entry) && typeof entry.key === 'string') out[entry.key] = anyValue(entry.value);
  return out;
}

/** An OTLP AnyValue as a plain value. */
function anyValue(value: unknown): unknown {
  if (!isRecord(value)) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('bytesValue' in value) return value.bytesValue;
  if (isRecord(value.arrayValue)) return (Array.isArray(value.arrayValue.values) ? value.arrayValue.values : []).map(anyValue);
  if (isRecord(value.kvlistValue)) return attributesOf(value.kvlistValue.values);
  return undefined;
}

/** Trace and span ids: hex in OTLP/JSON; base64 from encoders that follow protobuf's JSON mapping. */
function idOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  if (/^[0-9a-fA-F]+$/.test(value) && (value.length === 32 || value.length === 16)) return value.toLowerCase();
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 16 || bytes.length === 8 ? bytes.toString('hex') : undefined;
}

/** The latest instant a Date can hold (ECMA-262 §21.4.1.22). */
const MAX_DATE_MS = 8.64e15;

/** A span's start as a time; a start that is missing, zero or beyond what a date holds is the time it arrived. */
function timeOf(nanos: unknown): string {
  const ms = Number(nanosOf(nanos) / 1_000_000n);
  return new Date(ms > 0 && ms <= MAX_DATE_MS ? ms : Date.now()).toISOString();
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
