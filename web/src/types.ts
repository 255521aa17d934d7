/** What the ledger API answers (see GET /openapi.json). */

export const STATUSES = ['success', 'partial', 'failed'] as const;
export type ReplayStatus = (typeof STATUSES)[number];

/** The deployment the API lists submissions sent without one under. */
export const NO_DEPLOYMENT = '(none)';

export interface DivergenceDetail {
  action_id: string;
  field: 'input' | 'output';
  recorded?: unknown;
  replayed?: unknown;
}

export interface Submission {
  id: string;
  run_id: string;
  submitted_at: string;
  status: ReplayStatus;
  actions_replayed: number;
  actions_total: number;
  divergences: number;
  cost_savings: number;
  divergence_details?: DivergenceDetail[];
  deployment?: string;
  sdk_version?: string;
  started_at?: string;
  finished_at?: string;
}

export interface HistoryPage {
  items: Submission[];
  total: number;
  next_cursor: string | null;
}

export interface RunHistoryPage {
  run_id: string;
  items: Submission[];
  total: number;
  next_cursor: string | null;
}

export interface Stats {
  submissions: number;
  actions_replayed: number;
  divergences: number;
  cost_saved: number;
}

export interface DailyCount {
  day: string;
  deployment: string;
  submissions: number;
  divergences: number;
}

export interface DailyStats {
  days: number;
  from: string;
  to: string;
  items: DailyCount[];
}
