import { describe, it } from 'vitest';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { synthesize } from './synth.ts';
import { expectScheduledWired, expectWorkersWired } from './worker-assertions.ts';

// Prepare and act once per file; each test assesses the same template.
const { template } = synthesize();

describe('workers', () => {
  it('consume their queue with partial batch failures, one event source per catalogue worker, queue timeout ≥ 6 × function timeout', () => {
    expectWorkersWired(template, catalogue);
  });

  it('include the scheduled functions, each on its EventBridge rate rule', () => {
    expectScheduledWired(template, catalogue);
  });
});
