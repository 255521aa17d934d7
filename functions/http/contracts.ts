import type { RouteContract } from '#shared/http/contract.ts';
import * as account from './account/contract.ts';
import * as detached from './detached-replay/contract.ts';
import * as ledger from './ledger/contract.ts';
import * as page from './page/contract.ts';
import * as platform from './platform/contract.ts';
import * as proxy from './proxy/contract.ts';
import * as replayRuns from './replay-runs/contract.ts';
import * as sessionReplay from './session-replay/contract.ts';
import * as repro from './reproducibility/contract.ts';

/** Every route's contract: the OpenAPI document and the catalogue check read this list. */
export const contracts: readonly RouteContract[] = [
  platform.health,
  platform.openApi,
  account.getMe,
  page.replayPage,
  page.replayPageFiles,
  page.proxyPage,
  page.reproducibilityPage,
  ledger.postResult,
  ledger.listHistory,
  ledger.getRunHistory,
  ledger.getStats,
  ledger.getDailyStats,
  replayRuns.createRun,
  replayRuns.listRuns,
  replayRuns.getRun,
  replayRuns.cancelRun,
  replayRuns.getReport,
  replayRuns.verifyReport,
  replayRuns.putAlias,
  replayRuns.listAliases,
  replayRuns.recordUsage,
  replayRuns.listUsage,
  detached.startReplay,
  detached.listExecutions,
  detached.getExecution,
  detached.listRoutes,
  sessionReplay.createEndpoint,
  sessionReplay.listEndpoints,
  sessionReplay.getEndpoint,
  sessionReplay.updateEndpoint,
  sessionReplay.deleteEndpoint,
  sessionReplay.listRecordings,
  sessionReplay.listSessions,
  sessionReplay.importHar,
  sessionReplay.getSession,
  sessionReplay.getRecording,
  sessionReplay.createReplay,
  sessionReplay.listReplays,
  sessionReplay.getReplay,
  sessionReplay.cancelReplay,
  proxy.proxyRoot,
  proxy.proxyPath,
  repro.createSession,
  repro.listSessions,
  repro.getSession,
  repro.appendEvents,
  repro.ingestTraces,
  repro.listAgents,
  repro.getAgent,
  repro.updateAgent,
  repro.putReplayUrl,
  repro.deleteReplayUrl,
  repro.createRun,
  repro.listRuns,
  repro.getRun,
  repro.cancelRun,
  repro.getAttempt,
] as RouteContract[];
