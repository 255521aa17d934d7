import { TargetCallError, type ReplayTarget } from '#core/reproducibility/ports.ts';
import { createSafeHttpClient, OutboundRequestError, type SafeHttpClient } from './safe-http-client.ts';
import { loopbackTargetsAllowed } from './url-check.ts';

/**
 * Calls an agent's replay endpoint through the SSRF-safe client: POST of the
 * payload, the attempt's own timeout (an abort signal over the whole
 * request, redirects included), the client's response cap.
 */
export function createReplayTarget(client: SafeHttpClient): ReplayTarget {
  return {
    async post(url, body, { timeoutMs, headers }) {
      const started = performance.now();
      try {
        const response = await client.request(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        return { status: response.status, body: response.body.toString('utf8'), latencyMs: response.elapsedMs };
      } catch (error) {
        const latency = performance.now() - started;
        if (error instanceof OutboundRequestError) throw new TargetCallError(error.code, error.message, latency);
        if ((error as Error)?.name === 'TimeoutError') throw new TargetCallError('timeout', `No complete answer within ${timeoutMs / 1000} s`, latency);
        throw error;
      }
    },
  };
}

/** The client of reproducibility attempts: loopback targets only with REPRISE_ALLOW_LOOPBACK_TARGETS=true (never on AWS). */
export function replayTargetClient(options: { maxResponseBytes: number; maxTimeoutMs: number }): SafeHttpClient {
  return createSafeHttpClient({
    allowLoopback: loopbackTargetsAllowed(),
    // Each attempt aborts at its own timeout; this only bounds a hop beyond the longest one.
    timeoutMs: options.maxTimeoutMs + 1_000,
    maxResponseBytes: options.maxResponseBytes,
    userAgent: 'Reprise/1 (+reproducibility)',
  });
}
