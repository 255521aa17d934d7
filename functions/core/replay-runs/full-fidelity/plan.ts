import { fullFidelityLimits as L } from './options.ts';

/**
 * How a full-fidelity run is cut into chunks. Pairs (trace × repetition, one
 * request per side) are numbered repetition-major, so the first chunks cover
 * every trace once before any repeats (a budget stop drops repetitions
 * first). Chunks run in `lanes`: chunk c belongs to lane c % lanes, and a
 * lane runs its chunks one after the other, each with the lane's requests in
 * flight, so the run never has more than `concurrency` requests in flight.
 */
export interface ChunkPlan {
  pairs: number;
  chunkPairs: number;
  chunks: number;
  lanes: number;
  /** Requests in flight in each lane; they add up to the run's concurrency (or to what the chunks can use). */
  inFlight: number[];
}

export function planChunks(traces: number, repetitions: number, concurrency: number): ChunkPlan {
  const pairs = traces * repetitions;
  let lanes = Math.min(L.maxLanes, Math.ceil(concurrency / L.maxInFlightPerChunk));
  const widest = Math.ceil(concurrency / lanes);
  const chunkPairs = Math.max(1, Math.min(L.maxPairsPerChunk, widest * L.pairsPerSlot));
  const chunks = Math.max(1, Math.ceil(pairs / chunkPairs));
  lanes = Math.min(lanes, chunks);
  const usable = Math.min(concurrency, lanes * L.maxInFlightPerChunk);
  const inFlight = Array.from({ length: lanes }, (_, lane) => Math.floor(usable / lanes) + (lane < usable % lanes ? 1 : 0));
  return { pairs, chunkPairs, chunks, lanes, inFlight };
}

/** Pairs [start, end) of a chunk. */
export function chunkRange(plan: ChunkPlan, chunk: number): { start: number; end: number } {
  const start = chunk * plan.chunkPairs;
  return { start, end: Math.min(plan.pairs, start + plan.chunkPairs) };
}

/** The trace and repetition of pair `pair` (repetition-major). */
export function pairAt(pair: number, traces: number): { trace: number; repetition: number } {
  return { trace: pair % traces, repetition: Math.floor(pair / traces) };
}

/** The chunk a lane runs after `chunk`, if any. */
export function nextInLane(plan: ChunkPlan, chunk: number): number | undefined {
  const next = chunk + plan.lanes;
  return next < plan.chunks ? next : undefined;
}
