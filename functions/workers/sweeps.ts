/** A sweep repairs stuck state as of `now` and says how many items it touched. */
export type Sweep = (now: Date) => Promise<number>;

/** Registered sweeps, by name. Capabilities with long-running jobs add theirs here. */
export const sweeps: Record<string, Sweep> = {};
