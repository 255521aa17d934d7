import { reproducibilityLimits as L } from './limits.ts';

/** A chat message as the agent sent it to its LLM: kept and replayed exactly, extra fields included. */
export interface ChatMessage {
  role: string;
  content?: unknown;
  [field: string]: unknown;
}

interface EventBase {
  /** RFC 3339; spans from OTLP carry their start time. */
  timestamp?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** The OpenTelemetry span the event came from. */
  span_id?: string | undefined;
}

export type SessionEvent =
  | (EventBase & { type: 'user_input'; input: string })
  | (EventBase & { type: 'llm_request'; model: string; messages: ChatMessage[]; params?: Record<string, unknown> | undefined })
  | (EventBase & { type: 'llm_response'; output: unknown })
  | (EventBase & { type: 'agent_output'; output: unknown });

export const EVENT_TYPES = ['user_input', 'llm_request', 'llm_response', 'agent_output'] as const;

/** Where an event is stored: its chunk, its place in it, and its place in the session (sortable). */
export interface EventRef {
  chunk: string;
  index: number;
  order: string;
}

export type NotReplayableReason = 'no_replay_context';

/** The session as stored (its events live in chunks). */
export interface SessionRecord {
  id: string;
  project_id: string;
  agent_id: string;
  source: 'api' | 'otlp';
  started_at: string;
  created_at: string;
  updated_at: string;
  event_count: number;
  bytes: number;
  metadata: Record<string, unknown> | null;
  /** The model of the first LLM request. */
  model: string | null;
  /** The start of the first user input. */
  user_input: string | null;
  /** The event the replay payload is derived from. */
  context: (EventRef & { kind: 'llm' | 'user' }) | null;
  /** The first recorded answers, to compare attempt 1 with. */
  recorded: { llm_response?: EventRef | undefined; agent_output?: EventRef | undefined };
  words: string[];
  /** Of the create request, so a retry with the same session_id is recognised. */
  fingerprint: string | null;
  /** Bumped by every write: appends are conditional on it. */
  version: number;
}

/** The API's session summary (lists). */
export function sessionSummary(record: SessionRecord) {
  return {
    id: record.id,
    agent_id: record.agent_id,
    source: record.source,
    started_at: record.started_at,
    created_at: record.created_at,
    updated_at: record.updated_at,
    model: record.model,
    user_input: record.user_input,
    event_count: record.event_count,
    replayable: record.context !== null,
    not_replayable_reason: record.context === null ? ('no_replay_context' as NotReplayableReason) : null,
  };
}

/** The replay payload of the context event, exactly as it is sent. */
export function replayPayloadOf(event: SessionEvent): Record<string, unknown> {
  if (event.type === 'llm_request') return { messages: event.messages, model: event.model, is_replay: true };
  if (event.type === 'user_input') return { input: event.input, is_replay: true };
  throw new Error(`A ${event.type} event carries no replay context`);
}

/** The order key of an event: spans by their start time, everything else by when it was recorded. */
export function orderOf(event: SessionEvent, source: 'api' | 'otlp', chunk: string, chunkTime: string, index: number): string {
  const at = source === 'otlp' && event.timestamp ? new Date(event.timestamp).toISOString() : chunkTime;
  return `${at}|${chunk}|${String(index).padStart(5, '0')}`;
}

/**
 * What a batch of new events changes in a session: counts, the replay
 * context (an LLM request wins over a user input; the earlier one of a kind
 * wins), the first recorded answers, and the model and user input shown and
 * searched.
 */
export function absorbEvents(
  record: SessionRecord,
  events: readonly SessionEvent[],
  chunk: { id: string; time: string; bytes: number },
): SessionRecord {
  const next: SessionRecord = { ...record, recorded: { ...record.recorded }, event_count: record.event_count + events.length, bytes: record.bytes + chunk.bytes };
  let firstModel: { order: string; model: string } | undefined;
  let firstInput: { order: string; input: string } | undefined;
  events.forEach((event, index) => {
    const ref = { chunk: chunk.id, index, order: orderOf(event, record.source, chunk.id, chunk.time, index) };
    if (event.type === 'llm_request') {
      if (!next.context || next.context.kind === 'user' || ref.order < next.context.order) next.context = { ...ref, kind: 'llm' };
      if (!firstModel || ref.order < firstModel.order) firstModel = { order: ref.order, model: event.model };
    } else if (event.type === 'user_input') {
      if (!next.context || (next.context.kind === 'user' && ref.order < next.context.order)) next.context = { ...ref, kind: 'user' };
      if (!firstInput || ref.order < firstInput.order) firstInput = { order: ref.order, input: event.input };
    } else {
      const current = next.recorded[event.type];
      if (!current || ref.order < current.order) next.recorded[event.type] = ref;
    }
  });
  if (next.model === null && firstModel) next.model = firstModel.model;
  if (next.user_input === null && firstInput) next.user_input = firstInput.input.slice(0, L.outputExcerptChars);
  next.words = searchWords([next.user_input, next.model], record.words);
  return next;
}

/** The words a session is found by (case-insensitive, letters and digits): the given ones first, then new ones, at most the limit. */
export function searchWords(texts: readonly (string | null)[], already: readonly string[] = []): string[] {
  const words = new Set(already);
  for (const text of texts) {
    if (!text) continue;
    const whole = text.trim().toLowerCase();
    // A model name is also found whole (gpt-4o-mini).
    if (whole.length <= L.maxSearchWordChars && /^[\p{L}\p{N}._:-]+$/u.test(whole)) words.add(whole);
    for (const word of wordsOf(text)) words.add(word);
  }
  return [...words].slice(0, L.maxSearchWords);
}

/** The words of a text or a query: lower case, split at anything that is not a letter or digit. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 2 && word.length <= L.maxSearchWordChars);
}
