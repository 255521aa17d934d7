import { InvalidRequestError } from '../errors.ts';
import { decodeCursor, encodeCursor, type CursorFormat } from '../cursor.ts';
import { createRun, dryRun, type CreateRunDependencies, type CreateRunInput, type RunOwner } from './create-run.ts';
import { fullFidelityLimits as FF } from './full-fidelity/options.ts';
import { runChunk, type ChunkDependencies } from './full-fidelity/run-chunk.ts';
import { replayRunLimits as L } from './limits.ts';
import { MAX_PURGES_PER_NAMESPACE } from './namespaces.ts';
import type { ChunkMessage, UsageEvent } from './ports.ts';
import { renderReport } from './report.ts';
import { cancelRun, executeRun, notFound, sweepRuns, type LifecycleDependencies } from './run-lifecycle.ts';
import type { RunMessage } from './replay-run.ts';
import { parseTarget } from './targets.ts';

/** A usage event as recorded: `id` (for de-duplication) and `occurred_at` are optional. */
export type UsageEventInput = Omit<UsageEvent, 'id' | 'occurred_at'> & { id?: string | undefined; occurred_at?: string | undefined };

export type ReplayRunDependencies = CreateRunDependencies &
  LifecycleDependencies &
  ChunkDependencies & { newId: () => string; log?: (message: string, fields: Record<string, unknown>) => void };

/** The replay runs API's use cases, over ports. */
export function createReplayRunService(deps: ReplayRunDependencies) {
  return {
    async create(owner: RunOwner, input: CreateRunInput, idempotencyKey?: string) {
      const { record, replayed } = await createRun(deps, owner, input, idempotencyKey);
      return { run: record.run, replayed };
    },

    /** `dry_run: true`: the checks and the estimate of a create, writing nothing. */
    estimate: (owner: RunOwner, input: CreateRunInput) => dryRun(deps, owner, input),

    async get(projectId: string, runId: string) {
      const record = await deps.store.getRun(projectId, runId);
      if (!record) throw notFound(runId);
      return record.run;
    },

    async list(projectId: string, query: { limit: number; cursor?: string | undefined }) {
      const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor, RUN_CURSOR);
      const page = await deps.store.listRuns(projectId, { limit: query.limit, ...(afterId ? { afterId } : {}) });
      const last = page.items.at(-1);
      return { object: 'list' as const, data: page.items, has_more: page.hasMore, next_cursor: page.hasMore && last ? encodeCursor(last.id, RUN_CURSOR) : null };
    },

    cancel: async (projectId: string, runId: string) => (await cancelRun(deps, projectId, runId)).run,

    async report(projectId: string, runId: string) {
      const record = await deps.store.getRun(projectId, runId);
      if (!record) throw notFound(runId);
      return renderReport(record, deps.version, deps.now());
    },

    async putAlias(projectId: string, name: string, releases: { target: string; weight: number }[]) {
      for (const [i, release] of releases.entries()) {
        if (!parseTarget(release.target)) throw new InvalidRequestError(`releases[${i}].target must be provider/model[@revision]`, `releases.${i}.target`);
      }
      const alias = await deps.store.putAlias(projectId, { name, releases }, deps.now().toISOString(), L.maxAliasesPerProject);
      if (alias === 'limit') {
        throw new InvalidRequestError(`This project already has ${L.maxAliasesPerProject} aliases, the most a project may have: update one of them instead of creating ${name}`, 'name');
      }
      return { object: 'alias' as const, ...alias };
    },

    async listAliases(projectId: string) {
      const aliases = await deps.store.listAliases(projectId, L.maxAliasesPerProject);
      return { object: 'list' as const, data: aliases.map((a) => ({ object: 'alias' as const, ...a })) };
    },

    async recordUsage(projectId: string, events: UsageEventInput[]) {
      const now = deps.now().toISOString();
      const ids = new Set<string>();
      const stored: UsageEvent[] = events.map((event, i) => {
        if (event.reused_tokens > event.input_tokens) throw new InvalidRequestError(`events[${i}].reused_tokens cannot exceed input_tokens`, `events.${i}.reused_tokens`);
        if (event.id !== undefined) {
          // An event is identified by (occurred_at, id): without its time a retry would be a new event.
          if (event.occurred_at === undefined) throw new InvalidRequestError(`events[${i}] has an id but no occurred_at: send both, so a retried batch records it once`, `events.${i}.occurred_at`);
          const identity = `${new Date(event.occurred_at).toISOString()}#${event.id}`;
          if (ids.has(identity)) throw new InvalidRequestError(`events[${i}] repeats the id and occurred_at of an earlier event in this batch`, `events.${i}.id`);
          ids.add(identity);
        }
        return { ...event, id: event.id ?? deps.newId(), occurred_at: event.occurred_at ? new Date(event.occurred_at).toISOString() : now };
      });
      if (stored.length > L.usageBatchMax) throw new InvalidRequestError(`At most ${L.usageBatchMax} events per batch`, 'events');
      await deps.store.recordUsage(projectId, stored);
      return { object: 'usage_event_batch' as const, received: stored.length };
    },

    async listUsage(projectId: string, query: { limit: number; cursor?: string | undefined }) {
      const afterKey = query.cursor === undefined ? undefined : decodeCursor(query.cursor, USAGE_CURSOR);
      const page = await deps.store.listUsage(projectId, { limit: query.limit, ...(afterKey ? { afterKey } : {}) });
      return {
        object: 'list' as const,
        data: page.items,
        has_more: page.hasMore,
        next_cursor: page.hasMore && page.lastKey ? encodeCursor(page.lastKey, USAGE_CURSOR) : null,
      };
    },

    /** Ends the namespace's current generation and starts the next. */
    async purgeNamespace(projectId: string, namespace: string) {
      const result = await deps.namespaces.purge(projectId, namespace, () => deps.now().toISOString(), MAX_PURGES_PER_NAMESPACE);
      if (result === 'limit') {
        throw new InvalidRequestError(`Namespace ${namespace} has been purged ${MAX_PURGES_PER_NAMESPACE} times, the most one namespace keeps history for: use a new namespace name`, 'name');
      }
      return { namespace, purged_generation: result.purged_generation, generation: result.generation, purged_at: result.purged_at };
    },

    async listNamespaces(projectId: string, query: { limit: number; cursor?: string | undefined }) {
      const afterName = query.cursor === undefined ? undefined : decodeCursor(query.cursor, NAMESPACE_CURSOR);
      const page = await deps.namespaces.list(projectId, { limit: query.limit, ...(afterName ? { afterName } : {}) });
      const last = page.items.at(-1);
      return {
        object: 'list' as const,
        data: page.items.map((ns) => ({ object: 'namespace' as const, ...ns })),
        has_more: page.hasMore,
        next_cursor: page.hasMore && last ? encodeCursor(last.namespace, NAMESPACE_CURSOR) : null,
      };
    },

    async getSettings(projectId: string) {
      return { object: 'replay_settings' as const, platform_default_max_spend_usd: FF.platformDefaultMaxSpendUsd, ...(await deps.store.getSettings(projectId)) };
    },

    async putSettings(projectId: string, settings: { default_max_spend_usd: number | null }) {
      const stored = await deps.store.putSettings(projectId, settings, deps.now().toISOString());
      return { object: 'replay_settings' as const, platform_default_max_spend_usd: FF.platformDefaultMaxSpendUsd, ...stored };
    },

    execute: (message: RunMessage) => executeRun(deps, message),
    runChunk: (message: ChunkMessage, remainingMs: () => number) => runChunk(deps, message, remainingMs),
    sweep: () => sweepRuns(deps),
  };
}

export type ReplayRunService = ReturnType<typeof createReplayRunService>;

/** Runs page by run id. */
const RUN_CURSOR: CursorFormat = { version: 'c1', pattern: /^rpl_[0-9a-z]{26}$/ };
/** Usage events page by the key of the last event served: anything else would reach the store as a range it cannot serve. */
const USAGE_CURSOR: CursorFormat = { version: 'u1', pattern: /^EVT#\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[A-Za-z0-9_-]{1,64}$/ };
/** Namespaces page by name. */
const NAMESPACE_CURSOR: CursorFormat = { version: 'n1', pattern: /^[A-Za-z0-9._-]{1,128}$/ };
