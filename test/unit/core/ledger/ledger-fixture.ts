import { createLedgerService } from '../../../../functions/core/ledger/ledger-service.ts';
import type { ReplayResultInput } from '../../../../functions/core/ledger/submission.ts';
import { fakeLedgerStore } from './fake-ledger-store.ts';

export const T0 = new Date('2026-11-25T12:00:00.000Z');

/** The n-th id of the fixture's generator: UUID v7-shaped and increasing, so newest first is highest first. */
export const idNumber = (n: number): string => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** A valid submission body; override what the test is about. */
export const body = (overrides: Partial<ReplayResultInput> = {}): ReplayResultInput => ({
  status: 'success',
  actions_replayed: 3,
  actions_total: 4,
  divergences: 1,
  cost_savings: 0.25,
  ...overrides,
});

/** A ledger service over a fresh fake store, with a clock the test moves and a counting id generator. */
export function ledgerFixture() {
  const fake = fakeLedgerStore();
  let clock = T0;
  let issued = 0;
  const ledger = createLedgerService({
    store: fake.store,
    now: () => clock,
    newId: () => idNumber(++issued),
  });
  return {
    ...fake,
    ledger,
    /** Moves the clock forward. */
    advance: (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    },
    issuedIds: () => issued,
  };
}
