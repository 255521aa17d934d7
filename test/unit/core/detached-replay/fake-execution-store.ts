import type { ExecutionRecord, PageState } from '../../../../functions/core/detached-replay/execution.ts';
import { detachedLimits } from '../../../../functions/core/detached-replay/limits.ts';
import type { ExecutionStore } from '../../../../functions/core/detached-replay/ports.ts';

/**
 * An in-memory `ExecutionStore` that keeps the interface's promises: a page
 * counts once and only while its execution is publishing, and an execution
 * finishes only once every page is done. It counts the calls by name so
 * tests can see what the service asked for, and `failNext(name)` makes the
 * next call of that name throw (before it changes anything), as a crash or
 * an outage there would.
 */
export function fakeExecutionStore() {
  const records = new Map<string, ExecutionRecord>();
  const pageStates = new Map<string, Map<number, PageState>>();
  const calls = new Map<string, number>();
  const failures = new Map<string, number>();
  const id = (projectId: string, executionId: string) => `${projectId}/${executionId}`;
  const call = (name: string) => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    const left = failures.get(name) ?? 0;
    if (left > 0) {
      failures.set(name, left - 1);
      throw Object.assign(new Error(`injected ${name} failure`), { name: 'InjectedFailure' });
    }
  };
  const recordOf = (projectId: string, executionId: string) => {
    const record = records.get(id(projectId, executionId));
    if (!record) throw new Error(`no execution ${executionId}`);
    return record;
  };
  const pagesOf = (projectId: string, executionId: string) => {
    const key = id(projectId, executionId);
    if (!pageStates.has(key)) pageStates.set(key, new Map());
    return pageStates.get(key)!;
  };
  const stateOf = (projectId: string, executionId: string, page: number): PageState => ({ ...(pagesOf(projectId, executionId).get(page) ?? { page, sent: false, done: false }) });

  const store: ExecutionStore = {
    async create(record) {
      call('create');
      records.set(id(record.project_id, record.execution_id), structuredClone(record));
    },
    async get(projectId, executionId) {
      call('get');
      const record = records.get(id(projectId, executionId));
      return record && structuredClone({ ...record, errors: record.errors?.slice(0, detachedLimits.errorsPerExecution) ?? null });
    },
    async list(projectId, page) {
      const items = [...records.values()].filter((r) => r.project_id === projectId).sort((a, b) => b.execution_id.localeCompare(a.execution_id));
      return { items: items.slice(0, page.limit), hasMore: items.length > page.limit };
    },
    async pagePair(projectId, executionId, from) {
      call('pagePair');
      return [stateOf(projectId, executionId, from), stateOf(projectId, executionId, from + 1)];
    },
    async pages(projectId, executionId) {
      call('pages');
      return [...pagesOf(projectId, executionId).values()].sort((a, b) => a.page - b.page).map((state) => ({ ...state }));
    },
    async markPageSent(projectId, executionId, page) {
      call('markPageSent');
      pagesOf(projectId, executionId).set(page, { ...stateOf(projectId, executionId, page), sent: true });
    },
    async completePage(projectId, executionId, page, outcome, completion) {
      call('completePage');
      const record = recordOf(projectId, executionId);
      const state = stateOf(projectId, executionId, page);
      if (state.done || record.status !== 'publishing') return false;
      pagesOf(projectId, executionId).set(page, { ...state, done: true, next: completion.next });
      record.pages_done++;
      record.objects_found += outcome.found;
      record.objects_skipped += outcome.skipped;
      record.objects_published += outcome.published;
      record.objects_failed += outcome.failed;
      if (completion.next === null) record.pages_total = page + 1;
      if (completion.withErrors && outcome.errors.length) record.errors = [...(record.errors ?? []), ...outcome.errors];
      return true;
    },
    async finishIfComplete(projectId, executionId, at) {
      call('finishIfComplete');
      const record = recordOf(projectId, executionId);
      if (record.status !== 'publishing' || record.pages_total === null || record.pages_done !== record.pages_total) return false;
      record.status = record.objects_failed > 0 ? 'partial_failure' : 'publishing_complete';
      record.completed_at = at;
      return true;
    },
    // No progress times are kept here: an execution still publishing counts as stalled once it was created before `before`.
    async stalled(before) {
      return [...records.values()].filter((r) => r.status === 'publishing' && r.created_at < before).map((r) => ({ project_id: r.project_id, execution_id: r.execution_id }));
    },
    async markStalled(projectId, executionId, reason, at) {
      const record = recordOf(projectId, executionId);
      if (record.status !== 'publishing') return false;
      Object.assign(record, { status: 'partial_failure', completed_at: at, errors: [reason, ...(record.errors ?? [])] });
      return true;
    },
  };
  return {
    store,
    calls: (name: string) => calls.get(name) ?? 0,
    failNext: (name: keyof ExecutionStore, times = 1) => void failures.set(name, times),
    pageStates: (projectId: string, executionId: string) => [...pagesOf(projectId, executionId).values()].sort((a, b) => a.page - b.page),
  };
}
