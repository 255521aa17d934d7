import type { ExecutionRecord, PageOutcome } from '../../../../functions/core/detached-replay/execution.ts';
import type { ExecutionStore } from '../../../../functions/core/detached-replay/ports.ts';

/**
 * An in-memory `ExecutionStore` that keeps the interface's promises: a page
 * marked done is never counted again, enqueue claims go to the first caller,
 * and an execution finishes only once every page is done. It counts the calls
 * by name so tests can see what the service asked for. With `totalAfterPages`,
 * storing the page total waits until that many pages are counted: the order
 * in which the last page can finish (and be checked) before the total is known.
 */
export function fakeExecutionStore(options: { totalAfterPages?: boolean } = {}) {
  const records = new Map<string, ExecutionRecord>();
  const markers = new Set<string>();
  const calls = new Map<string, number>();
  const onCount = new Set<() => void>();
  const id = (projectId: string, executionId: string) => `${projectId}/${executionId}`;
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const recordOf = (projectId: string, executionId: string) => {
    const record = records.get(id(projectId, executionId));
    if (!record) throw new Error(`no execution ${executionId}`);
    return record;
  };
  const add = (record: ExecutionRecord, outcome: PageOutcome) => {
    record.pages_done++;
    record.objects_found += outcome.found;
    record.objects_skipped += outcome.skipped;
    record.objects_published += outcome.published;
    record.objects_failed += outcome.failed;
    for (const notify of onCount) notify();
  };

  const store: ExecutionStore = {
    async create(record) {
      count('create');
      records.set(id(record.project_id, record.execution_id), structuredClone({ ...record, errors: [] }));
    },
    async get(projectId, executionId) {
      count('get');
      const record = records.get(id(projectId, executionId));
      return record && structuredClone(record);
    },
    async list(projectId, page) {
      const items = [...records.values()].filter((r) => r.project_id === projectId).sort((a, b) => b.execution_id.localeCompare(a.execution_id));
      return { items: items.slice(0, page.limit), hasMore: items.length > page.limit };
    },
    async isPageDone(projectId, executionId, page) {
      return markers.has(`${id(projectId, executionId)}/PAGE#${page}`);
    },
    async claimPageEnqueue(projectId, executionId, page) {
      const marker = `${id(projectId, executionId)}/ENQ#${page}`;
      if (markers.has(marker)) return false;
      markers.add(marker);
      return true;
    },
    async setPagesTotal(projectId, executionId, total) {
      const record = recordOf(projectId, executionId);
      if (options.totalAfterPages) {
        await new Promise<void>((resolve) => {
          const check = () => record.pages_done >= total && (onCount.delete(check), setImmediate(resolve));
          onCount.add(check);
          check();
        });
      }
      record.pages_total = total;
    },
    async completePage(projectId, executionId, page, outcome) {
      count('completePage');
      const marker = `${id(projectId, executionId)}/PAGE#${page}`;
      if (markers.has(marker)) return false;
      markers.add(marker);
      add(recordOf(projectId, executionId), outcome);
      return true;
    },
    async addInlinePage(projectId, executionId, outcome) {
      count('addInlinePage');
      add(recordOf(projectId, executionId), outcome);
    },
    async appendErrors(projectId, executionId, errors, cap) {
      const record = recordOf(projectId, executionId);
      if ((record.errors ?? []).length < cap) record.errors = [...(record.errors ?? []), ...errors];
    },
    async finishIfComplete(projectId, executionId, at) {
      count('finishIfComplete');
      const record = recordOf(projectId, executionId);
      if (record.status !== 'publishing' || record.pages_total === null || record.pages_done !== record.pages_total) return false;
      record.status = record.objects_failed > 0 ? 'partial_failure' : 'publishing_complete';
      record.completed_at = at;
      return true;
    },
    async stalled() {
      return [];
    },
    async markStalled() {
      return false;
    },
  };
  return { store, calls: (name: string) => calls.get(name) ?? 0, pagesDone: (projectId: string, executionId: string) => recordOf(projectId, executionId).pages_done };
}
