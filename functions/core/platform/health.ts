/** One dependency as `/health` reports it. */
export interface DependencyStatus {
  status: 'ok' | 'down';
  /** Why it is down, in a few words (never a host, key or value). */
  reason?: string;
}

export interface HealthReport {
  healthy: boolean;
  dependencies: Record<string, DependencyStatus>;
}

/** Checks that a dependency answers; rejects when it does not. */
export type Probe = () => Promise<unknown>;

/**
 * Runs every probe at once, each within `timeoutMs`: a dependency is `ok`
 * when its probe resolved in time, `down` with a short reason otherwise.
 */
export async function checkDependencies(probes: Record<string, Probe>, reasonOf: (error: unknown) => string, timeoutMs: number): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, DependencyStatus]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
      });
      try {
        await Promise.race([probe(), timeout]);
        return [name, { status: 'ok' }];
      } catch (error) {
        return [name, { status: 'down', reason: error instanceof ProbeTimeout ? `no answer within ${timeoutMs} ms` : reasonOf(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  return { healthy: entries.every(([, status]) => status.status === 'ok'), dependencies };
}

class ProbeTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}
