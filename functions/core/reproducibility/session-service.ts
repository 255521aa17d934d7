import { decodeCursor, encodeCursor, type CursorFormat } from '../cursor.ts';
import { createHash } from 'node:crypto';
import { ConflictError, DomainError, NotFoundError, ValidationFailedError } from '../errors.ts';
import { fingerprintOf } from '../idempotency.ts';
import { emptyAgent } from './agent.ts';
import { reproducibilityLimits as L } from './limits.ts';
import { mapOtlpExport } from './otlp.ts';
import type { AgentStore, BlobStore, SessionQuery, SessionStore, StoredChunk } from './ports.ts';
import { absorbEvents, replayPayloadOf, sessionSummary, wordsOf, type EventRef, type SessionEvent, type SessionRecord } from './session.ts';

export interface SessionDependencies {
  sessions: SessionStore;
  agents: AgentStore;
  blobs: BlobStore;
  now: () => Date;
  /** Time-ordered ids (chunks, generated session ids). */
  newId: () => string;
}

export interface CreateSessionInput {
  agent_id: string;
  session_id?: string | undefined;
  started_at?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  events: SessionEvent[];
}

export interface SessionListQuery {
  agent_id?: string | undefined;
  replayable?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

const MAX_APPEND_TRIES = 8;

export function sessionNotFound(sessionId: string): NotFoundError {
  return new NotFoundError(`No session ${sessionId} in this project`, 'session_not_found');
}

/** Sessions (with their replay context), OTLP ingestion and agents, over ports. */
export function createSessionService(deps: SessionDependencies) {
  const { sessions, agents, blobs } = deps;

  /** Writes a chunk's events (`json`, an array of `count`) where they belong: inline when small, else an object first. */
  async function chunkOf(projectId: string, sessionId: string, json: string, count: number, at: string): Promise<StoredChunk> {
    const id = deps.newId();
    const bytes = Buffer.byteLength(json);
    if (bytes <= L.inlineChunkBytes) return { id, time: at, count, bytes, eventsJson: json };
    const key = `${projectId}/sessions/${sessionId}/${id}.json`;
    await blobs.put(key, json);
    return { id, time: at, count, bytes, eventsKey: key };
  }

  const discard = (chunk: StoredChunk | undefined) => (chunk?.eventsKey ? blobs.delete(chunk.eventsKey).catch(() => undefined) : undefined);

  async function eventsOfChunk(chunk: StoredChunk): Promise<SessionEvent[]> {
    const json = chunk.eventsJson ?? (chunk.eventsKey ? await blobs.get(chunk.eventsKey) : '[]');
    return JSON.parse(json) as SessionEvent[];
  }

  function withinLimits(record: Pick<SessionRecord, 'event_count' | 'bytes'>, events: readonly SessionEvent[], bytes: number): string | undefined {
    if (record.event_count + events.length > L.maxEventsPerSession) return `A session holds at most ${L.maxEventsPerSession} events (this one has ${record.event_count})`;
    if (record.bytes + bytes > L.maxSessionBytes) return `A session holds at most ${L.maxSessionBytes} bytes of events (this one has ${record.bytes})`;
    const big = events.findIndex((event) => Buffer.byteLength(JSON.stringify(event)) > L.maxEventBytes);
    if (big >= 0) return `events[${big}] is over ${L.maxEventBytes} bytes as JSON`;
    return undefined;
  }

  function emptySession(projectId: string, id: string, agentId: string, source: SessionRecord['source'], startedAt: string, now: string): SessionRecord {
    return {
      id,
      project_id: projectId,
      agent_id: agentId,
      source,
      started_at: startedAt,
      created_at: now,
      updated_at: now,
      event_count: 0,
      bytes: 0,
      metadata: null,
      model: null,
      user_input: null,
      context: null,
      recorded: {},
      words: [],
      fingerprint: null,
      version: 1,
    };
  }

  /** Stores a new session; `false` when its id was taken meanwhile. */
  async function store(record: SessionRecord, events: readonly SessionEvent[], dedupeKey?: string): Promise<SessionRecord | undefined> {
    const chunk = events.length ? await chunkOf(record.project_id, record.id, JSON.stringify(events), events.length, record.created_at) : undefined;
    const full = chunk ? absorbEvents(record, events, chunk) : record;
    if (!(await sessions.createSession(full, chunk, dedupeKey))) {
      await discard(chunk);
      return undefined;
    }
    await agents.sawSession(record.project_id, record.agent_id, record.created_at);
    return full;
  }

  /** Appends events, retrying when another append moved the session first. */
  async function append(projectId: string, sessionId: string, events: readonly SessionEvent[], dedupeKey?: string): Promise<SessionRecord> {
    const json = JSON.stringify(events);
    const bytes = Buffer.byteLength(json);
    for (let attempt = 0; attempt < MAX_APPEND_TRIES; attempt++) {
      const record = await sessions.getSession(projectId, sessionId);
      if (!record) throw sessionNotFound(sessionId);
      if (events.length === 0) return record;
      // Checked before anything is written, so a refused append uploads nothing.
      const refused = withinLimits(record, events, bytes);
      if (refused) throw new ValidationFailedError([{ loc: ['body', 'events'], msg: refused, type: 'too_long' }]);
      const now = deps.now().toISOString();
      const chunk = await chunkOf(projectId, sessionId, json, events.length, now);
      const next = { ...absorbEvents(record, events, chunk), version: record.version + 1, updated_at: now };
      const outcome = await sessions.appendChunk(next, record.version, chunk, dedupeKey);
      if (outcome === 'ok') return next;
      await discard(chunk);
      if (outcome === 'duplicate') return record;
    }
    throw new ConflictError('The session is being appended to by other requests: retry', 'session_busy');
  }

  async function eventAt(projectId: string, sessionId: string, ref: EventRef): Promise<SessionEvent> {
    const chunk = await sessions.chunk(projectId, sessionId, ref.chunk);
    const event = chunk ? (await eventsOfChunk(chunk))[ref.index] : undefined;
    if (!event) throw new Error(`Event ${ref.chunk}[${ref.index}] of session ${sessionId} is missing`);
    return event;
  }

  return {
    eventAt,

    async create(projectId: string, input: CreateSessionInput): Promise<{ session: ReturnType<typeof sessionSummary>; replayed: boolean }> {
      const now = deps.now().toISOString();
      const id = input.session_id ?? `ses_${deps.newId()}`;
      const fingerprint = fingerprintOf(input);
      const bytes = input.events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
      const refused = withinLimits({ event_count: 0, bytes: 0 }, input.events, bytes);
      if (refused) throw new ValidationFailedError([{ loc: ['body', 'events'], msg: refused, type: 'too_long' }]);

      const earlier = async () => {
        const existing = await sessions.getSession(projectId, id);
        if (!existing) return undefined;
        if (existing.fingerprint !== fingerprint) {
          throw new ConflictError(`Session ${id} already exists with other content: append to it with POST /api/v1/sessions/${id}/events`, 'session_exists');
        }
        return { session: sessionSummary(existing), replayed: true };
      };
      if (input.session_id !== undefined) {
        const again = await earlier();
        if (again) return again;
      }
      const startedAt = input.started_at ? new Date(input.started_at).toISOString() : now;
      const record = { ...emptySession(projectId, id, input.agent_id, 'api', startedAt, now), metadata: input.metadata ?? null, fingerprint };
      const stored = await store(record, input.events);
      if (stored) return { session: sessionSummary(stored), replayed: false };
      const raced = await earlier();
      if (raced) return raced;
      throw new ConflictError('The first request with this session_id did not complete: retry it', 'session_in_flight');
    },

    async append(projectId: string, sessionId: string, events: SessionEvent[], idempotencyKey?: string) {
      const dedupeKey = idempotencyKey ? `key:${sha256(idempotencyKey)}` : undefined;
      return sessionSummary(await append(projectId, sessionId, events, dedupeKey));
    },

    async get(projectId: string, sessionId: string) {
      const record = await sessions.getSession(projectId, sessionId);
      if (!record) throw sessionNotFound(sessionId);
      const chunks = await sessions.chunks(projectId, sessionId);
      const ordered: { order: string; event: SessionEvent }[] = [];
      const eventsByChunk = new Map<string, SessionEvent[]>();
      for (const chunk of chunks) {
        const events = await eventsOfChunk(chunk);
        eventsByChunk.set(chunk.id, events);
        events.forEach((event, index) => {
          const at = record.source === 'otlp' && event.timestamp ? new Date(event.timestamp).toISOString() : chunk.time;
          ordered.push({ order: `${at}|${chunk.id}|${String(index).padStart(5, '0')}`, event });
        });
      }
      ordered.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
      // The context's chunk is among those just read.
      const context = record.context ? (eventsByChunk.get(record.context.chunk)?.[record.context.index] ?? (await eventAt(projectId, sessionId, record.context))) : undefined;
      return {
        ...sessionSummary(record),
        bytes: record.bytes,
        metadata: record.metadata,
        replay_payload: context ? replayPayloadOf(context) : null,
        events: ordered.map((entry) => entry.event),
      };
    },

    async list(projectId: string, query: SessionListQuery) {
      const before = query.cursor === undefined ? undefined : sessionCursor(query.cursor);
      const range: SessionQuery = {
        agentId: query.agent_id,
        replayable: query.replayable,
        from: query.from ? new Date(query.from).toISOString() : undefined,
        to: query.to ? new Date(query.to).toISOString() : undefined,
        before,
        limit: query.limit,
      };
      let page;
      if (query.q !== undefined) {
        const words = [...new Set(wordsOf(query.q))].sort((a, b) => b.length - a.length);
        if (words.length === 0) {
          throw new ValidationFailedError([{ loc: ['query', 'q'], msg: 'q needs a word of at least 2 letters or digits', type: 'value_error', input: query.q }]);
        }
        page = await sessions.searchSessions(projectId, words[0]!, words.slice(1), range);
      } else {
        page = await sessions.listSessions(projectId, range);
      }
      const last = page.items.at(-1);
      return {
        items: page.items.map(sessionSummary),
        next_cursor: page.hasMore && last ? encodeCursor(`${last.started_at}#${last.id}`, SESSION_CURSOR) : null,
      };
    },

    /** An OTLP/HTTP JSON export: spans grouped into sessions, each created or appended to, once per export. */
    async ingestOtlp(projectId: string, request: unknown) {
      const mapped = mapOtlpExport(request);
      let rejected = mapped.rejected;
      let reason = mapped.rejectedReason;
      for (const batch of mapped.sessions) {
        const spanIds = batch.events.map((event) => event.span_id).sort();
        const dedupeKey = `otlp:${sha256(`${spanIds.join(',')}|${batch.events.length}`)}`;
        const bytes = batch.events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
        try {
          const existing = await sessions.getSession(projectId, batch.session_id);
          if (!existing) {
            const refused = withinLimits({ event_count: 0, bytes: 0 }, batch.events, bytes);
            if (refused) throw new ValidationFailedError([{ loc: ['body'], msg: refused, type: 'too_long' }]);
            const now = deps.now().toISOString();
            const created = await store(emptySession(projectId, batch.session_id, batch.agent_id, 'otlp', batch.started_at, now), batch.events, dedupeKey);
            if (created) continue;
          }
          await append(projectId, batch.session_id, batch.events, dedupeKey);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          rejected += new Set(batch.events.map((event) => event.span_id)).size;
          reason = `Session ${batch.session_id}: ${error instanceof ValidationFailedError ? error.issues[0]?.msg : error.message}`;
        }
      }
      return { partialSuccess: rejected ? { rejectedSpans: rejected, errorMessage: reason ?? 'Some spans were not kept' } : {} };
    },

    async getAgent(projectId: string, agentId: string) {
      return (await agents.getAgent(projectId, agentId)) ?? emptyAgent(agentId);
    },

    async listAgents(projectId: string, query: { cursor?: string | undefined; limit: number }) {
      const after = query.cursor === undefined ? undefined : agentCursor(query.cursor);
      const page = await agents.listAgents(projectId, { after, limit: query.limit });
      const last = page.items.at(-1);
      return { items: page.items, next_cursor: page.hasMore && last ? encodeCursor(last.agent_id, AGENT_CURSOR) : null };
    },

    updateAgent: (projectId: string, agentId: string, change: { replay_url?: string | null; ignore_paths?: string[] }) =>
      agents.updateAgent(projectId, agentId, change, deps.now().toISOString()),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Sessions by start time and id; agents by id. */
const SESSION_CURSOR: CursorFormat = { version: 's1', pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9._:-]{1,128}$/ };
const AGENT_CURSOR: CursorFormat = { version: 'a1', pattern: /^.{1,128}$/ };
const sessionCursor = (cursor: string) => decodeCursor(cursor, SESSION_CURSOR);
const agentCursor = (cursor: string) => decodeCursor(cursor, AGENT_CURSOR);
