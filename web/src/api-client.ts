import type { DailyStats, HistoryPage, ReplayStatus, RunHistoryPage, Stats } from './types.ts';

/** A refused or failed API call; `status` 0 when the API could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly correlationId: string | undefined;

  constructor(status: number, message: string, correlationId?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.correlationId = correlationId;
  }
}

export interface HistoryRequest {
  limit: number;
  status?: ReplayStatus | undefined;
  deployment?: string | undefined;
  cursor?: string | null | undefined;
}

/** The ledger API path of a history page. */
export function historyPath({ limit, status, deployment, cursor }: HistoryRequest): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (status) params.set('status', status);
  if (deployment) params.set('deployment', deployment);
  if (cursor) params.set('cursor', cursor);
  return `/api/v1/replay/history?${params}`;
}

/** The ledger API path of a page of one run's submissions. */
export function runHistoryPath(runId: string, cursor?: string | null): string {
  return `/api/v1/replay/history/${encodeURIComponent(runId)}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
}

/** The ledger API, called on the page's own origin with the key as a bearer token. */
export function createApiClient(apiKey: string, signal?: AbortSignal) {
  async function get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, { headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' }, cache: 'no-store', ...(signal ? { signal } : {}) });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'The API could not be reached. Check your connection and try again.');
    }
    const body = (await response.json().catch(() => undefined)) as { detail?: unknown; correlation_id?: string } | undefined;
    if (!response.ok) {
      const detail = typeof body?.detail === 'string' ? body.detail : `The API answered ${response.status}.`;
      throw new ApiError(response.status, detail, body?.correlation_id ?? response.headers.get('x-correlation-id') ?? undefined);
    }
    return body as T;
  }
  return {
    stats: () => get<Stats>('/api/v1/replay/stats'),
    daily: (days: number) => get<DailyStats>(`/api/v1/replay/stats/daily?days=${days}`),
    history: (request: HistoryRequest) => get<HistoryPage>(historyPath(request)),
    runHistory: (runId: string, cursor?: string | null) => get<RunHistoryPage>(runHistoryPath(runId, cursor)),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
