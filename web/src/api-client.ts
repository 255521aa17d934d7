import type { DailyStats, HistoryPage, LedgerKind, ReplayStatus, RunHistoryPage, Stats } from './types.ts';

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
  kind?: LedgerKind | undefined;
  status?: ReplayStatus | undefined;
  deployment?: string | undefined;
  cursor?: string | null | undefined;
}

/** The ledger API path of a history page. */
export function historyPath({ limit, kind, status, deployment, cursor }: HistoryRequest): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (kind) params.set('kind', kind);
  if (status) params.set('status', status);
  if (deployment) params.set('deployment', deployment);
  if (cursor) params.set('cursor', cursor);
  return `/api/v1/replay/history?${params}`;
}

/** The ledger API path of a page of one run's submissions. */
export function runHistoryPath(runId: string, cursor?: string | null): string {
  return `/api/v1/replay/history/${encodeURIComponent(runId)}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
}

type ErrorBody = { detail?: unknown; correlation_id?: string; error?: { message?: unknown } };

/** What an error answer says, in either API family's shape (a 422 lists its fields). */
export function errorMessage(status: number, body: ErrorBody | undefined): string {
  if (typeof body?.detail === 'string') return body.detail;
  if (Array.isArray(body?.detail)) {
    const issues = (body.detail as { loc?: unknown[]; msg?: unknown }[]).map((issue) => `${(issue.loc ?? []).slice(1).join('.') || 'request'}: ${String(issue.msg ?? 'invalid')}`);
    if (issues.length) return issues.join('; ');
  }
  if (typeof body?.error?.message === 'string') return body.error.message;
  return `The API answered ${status}.`;
}

/** Reprise's API, called on the page's own origin with the key as a bearer token. */
export function createApiClient(apiKey: string, signal?: AbortSignal) {
  /** Any call of the API: JSON text in, JSON out; a refused call throws an `ApiError` with the API's own message. */
  async function sendJsonText<T>(method: string, path: string, json?: string): Promise<T> {
    let response: Response;
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
    if (json !== undefined) headers['content-type'] = 'application/json';
    try {
      response = await fetch(path, { method, headers, cache: 'no-store', ...(json === undefined ? {} : { body: json }), ...(signal ? { signal } : {}) });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'The API could not be reached. Check your connection and try again.');
    }
    const answer = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
    if (!response.ok) {
      throw new ApiError(response.status, errorMessage(response.status, answer), answer?.correlation_id ?? response.headers.get('x-correlation-id') ?? undefined);
    }
    return answer as T;
  }
  /** Any call of the API with a value as its JSON body. */
  const send = <T>(method: string, path: string, body?: unknown) => sendJsonText<T>(method, path, body === undefined ? undefined : JSON.stringify(body));
  const get = <T>(path: string) => send<T>('GET', path);
  return {
    send,
    sendJsonText,
    get,
    stats: () => get<Stats>('/api/v1/replay/stats'),
    daily: (days: number, kind?: LedgerKind) => get<DailyStats>(`/api/v1/replay/stats/daily?days=${days}${kind ? `&kind=${kind}` : ''}`),
    history: (request: HistoryRequest) => get<HistoryPage>(historyPath(request)),
    runHistory: (runId: string, cursor?: string | null) => get<RunHistoryPage>(runHistoryPath(runId, cursor)),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
