/**
 * What the ledger API answers (see GET /openapi.json): the server's own
 * definitions, under the names the page uses. Only types and small constants
 * come from modules that import nothing from Node, so the page's bundle gains
 * no server code.
 */

export type { DailyCount, DailyStats } from '../../functions/core/ledger/daily.ts';
export type { HistoryPage, RunHistoryPage } from '../../functions/core/ledger/pages.ts';
export type { DivergenceDetail, LedgerKind, LedgerStats as Stats, ReplayStatus, Submission } from '../../functions/core/ledger/submission.ts';
export { ledgerLimits } from '../../functions/core/ledger/limits.ts';
export { NO_DEPLOYMENT } from '../../functions/core/ledger/history-filter.ts';
export { LEDGER_KINDS as KINDS, REPLAY_STATUSES as STATUSES } from '../../functions/core/ledger/submission.ts';
