import { Validations } from 'aws-cdk-lib';
import type { Api } from './constructs/api.ts';

/**
 * The cdk-nag AwsSolutions findings Reprise accepts, each scoped to the
 * construct it concerns and with its reason. Everything else is fixed rather
 * than acknowledged, so synth fails on any new finding.
 */
export function acknowledgeFindings(parts: { api: Api }): void {
  for (const route of parts.api.publicRoutes) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Public by design: health, the OpenAPI document and the catch-all 404. Every data route has the Lambda authorizer.',
    });
  }
}
