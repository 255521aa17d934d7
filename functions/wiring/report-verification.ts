import { reportSigningKey } from '#adapters/secrets/report-signing-key.ts';
import { verifyEvidence } from '#core/replay-runs/report.ts';

/** Report verification wired to the signing key alone (its function is granted no table). */
export const verifyReportEvidence = async (report: Parameters<typeof verifyEvidence>[0]) => verifyEvidence(report, await reportSigningKey());
