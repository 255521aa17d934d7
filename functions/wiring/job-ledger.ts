import type { RecordJobOutcome } from '#core/ledger/job-outcome.ts';
import { ledger } from './ledger.ts';

/**
 * Where a job records how it ended, so the Replay Hub shows it: one ledger
 * submission of the job's kind, written once (recording the same outcome
 * again writes nothing). A function that records outcomes needs
 * `{ table: 'ledger', mode: 'readWrite' }` in its catalogue entry.
 *
 * Record after the job's final state is stored, and again whenever a
 * redelivered message finds the job already ended: a crash between the two
 * writes then loses nothing.
 */
export const recordJobOutcome: RecordJobOutcome = (orgId, outcome) => ledger.recordOutcome(orgId, outcome);
