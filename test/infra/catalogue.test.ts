import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue, functionId, idsOf } from '../../lib/cdk/catalogue-input.ts';
import { repositoryRoot } from '../../lib/cdk/constructs/reprise-function.ts';
import { fullFidelityLimits } from '../../functions/core/replay-runs/full-fidelity/options.ts';
import { allFunctions } from './template-queries.ts';

// The rules AWS enforces only at deploy time (or never), checked the moment an entry is added.
const functions = allFunctions(catalogue);

describe('the catalogue', () => {
  it("gives every worker's queue a visibility timeout of at least 6 × the worker's timeout", () => {
    for (const worker of catalogue.workers) {
      expect(catalogue.queues[worker.queue].visibilityTimeoutSeconds, worker.entry).toBeGreaterThanOrEqual(6 * worker.timeoutSeconds);
    }
  });

  it('lets a full-fidelity chunk lease last exactly its worker\'s timeout, and the run watchdog outlast a stopped worker\'s chunk coming back', () => {
    const worker = catalogue.workers.find((w) => w.queue === 'replayChunks')!;
    const queue = catalogue.queues.replayChunks;
    // A lease shorter than the timeout could let a second worker take a chunk the first is still sending.
    expect(fullFidelityLimits.chunkLeaseSeconds).toBe(worker.timeoutSeconds);
    // A stopped worker's message returns after the visibility timeout; its settlement must come before the sweeper gives up on the run.
    expect(fullFidelityLimits.progressWatchdogSeconds).toBeGreaterThan(queue.visibilityTimeoutSeconds + fullFidelityLimits.chunkLeaseSeconds);
    // Every lane of a run at the widest runs at once.
    expect(worker.maxConcurrency).toBeGreaterThanOrEqual(fullFidelityLimits.maxLanes);
  });

  it('keeps worker batches and concurrency within what an SQS event source accepts', () => {
    for (const worker of catalogue.workers) {
      // Above 10 needs a batching window, which the stack does not set.
      expect(worker.batchSize, worker.entry).toBeGreaterThanOrEqual(1);
      expect(worker.batchSize, worker.entry).toBeLessThanOrEqual(10);
      expect(worker.maxConcurrency, worker.entry).toBeGreaterThanOrEqual(2);
      expect(worker.maxConcurrency, worker.entry).toBeLessThanOrEqual(1000);
    }
  });

  it('keeps queue retention below the 14 days of its DLQ, which counts from the first enqueue', () => {
    for (const queueId of idsOf(catalogue.queues)) {
      const spec = catalogue.queues[queueId];
      expect(spec.retentionDays, queueId).toBeLessThan(14);
      expect(spec.maxReceiveCount, queueId).toBeGreaterThanOrEqual(1);
      expect(spec.visibilityTimeoutSeconds, queueId).toBeLessThanOrEqual(12 * 60 * 60);
    }
  });

  it('gives every function an existing entry of its own and Lambda-sized timeout and memory', () => {
    for (const spec of functions) {
      expect(existsSync(resolve(repositoryRoot, spec.entry)), spec.entry).toBe(true);
      expect(spec.timeoutSeconds, spec.entry).toBeGreaterThanOrEqual(1);
      expect(spec.timeoutSeconds, spec.entry).toBeLessThanOrEqual(900);
      expect(spec.memoryMb, spec.entry).toBeGreaterThanOrEqual(128);
      expect(spec.memoryMb, spec.entry).toBeLessThanOrEqual(10_240);
    }
    // Construct ids come from entries, so two functions cannot share one.
    const ids = functions.map((spec) => functionId(spec.entry));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has no two routes with the same method and path', () => {
    const keys = catalogue.routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of catalogue.routes) expect(route.path, route.entry).toMatch(/^\/[^\s]*$/);
  });

  it('runs scheduled functions at least every minute and delivers schedules to a catalogue queue', () => {
    for (const spec of catalogue.scheduled) expect(Number.isInteger(spec.everyMinutes) && spec.everyMinutes >= 1, spec.entry).toBe(true);
    expect(idsOf(catalogue.queues)).toContain(catalogue.scheduling.targetQueue);
  });
});
