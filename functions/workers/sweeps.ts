/** A sweep repairs stuck state as of now and says how many items it touched. */
export type Sweep = () => Promise<number>;

/**
 * Registered sweeps, by name: each capability with jobs adds its own. Loaded
 * lazily, so a sweep's wiring (and its env vars) is only read when it runs.
 */
export const sweeps: Record<string, Sweep> = {
  'replay-runs': async () => (await import('#wiring/replay-runs.ts')).replayRuns.sweep(),
  'detached-replays': async () => (await import('#wiring/detached-replay.ts')).detachedReplay.sweep(),
  'session-replays': async () => (await import('#wiring/session-replay.ts')).sessionReplay.sweep(),
  reproducibility: async () => (await import('#wiring/reproducibility.ts')).reproducibility.sweep(),
};
