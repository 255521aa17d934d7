import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { ingestTraces } from './contract.ts';

/** OTLP/HTTP JSON: answers an ExportTraceServiceResponse (partialSuccess names what was not kept). */
export const handler = httpRoute(ingestTraces, async ({ caller, body }) => ({ status: 200, body: await sessions.ingestOtlp(caller.projectId, body) }));
