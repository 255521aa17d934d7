import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured JSON logger; per-invocation keys (correlation id) are scoped by Powertools. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'reprise' });
