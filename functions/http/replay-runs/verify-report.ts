import { httpRoute } from '#shared/http/route.ts';
import { verifyReportEvidence } from '#wiring/report-verification.ts';
import { verifyReport } from './contract.ts';

export const handler = httpRoute(verifyReport, async ({ body }) => ({ status: 200, body: await verifyReportEvidence(body) }));
