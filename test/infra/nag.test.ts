import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { catalogue, idsOf, pascal } from '../../lib/cdk/catalogue-input.ts';
import { acknowledgementsIn } from './acknowledgements.ts';
import { cdkContext, synthesize } from './synth.ts';

// Prepare and act as `cdk synth` does: the cdk-nag plugin and CDK's own
// CloudFormation validation; synthesis throws here on an unacknowledged error.
const { app } = synthesize({ nag: true, cloudFormationValidation: true });
const report = JSON.parse(readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8')) as {
  pluginReports: { pluginName: string; violations: unknown[] }[];
};

describe('cdk-nag and CloudFormation validation', () => {
  it('report nothing, errors or warnings', () => {
    expect(report.pluginReports.filter((r) => r.violations.length > 0)).toEqual([]);
  });

  it('would fail synth on an unacknowledged finding', () => {
    // Prepare
    const probe = new App({ context: cdkContext, builtinCloudFormationValidation: false });
    new Queue(new Stack(probe, 'Probe'), 'Bare');
    Validations.of(probe).addPlugins(new AwsSolutionsChecks(probe));

    // Act and assess
    expect(() => probe.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('are acknowledged only for public routes (APIG4), generated keys (SMG4) and grant wildcards on function roles (IAM5), each with a reason', () => {
    const acknowledgements = acknowledgementsIn(app);
    const publicRoutes = catalogue.routes.filter((r) => !r.auth);
    const apig4 = acknowledgements.filter((a) => a.id === 'AwsSolutions-APIG4');
    expect(apig4.map((a) => a.path).sort()).toEqual(
      // A route's construct id is `${method}${path}`, each '/' written '--' in its construct path.
      [...publicRoutes.map((r) => `Reprise/Api/HttpApi/${r.method}${r.path.replaceAll('/', '--')}`), 'Reprise/Api/FallbackRoute'].sort(),
    );
    const smg4 = acknowledgements.filter((a) => a.id === 'AwsSolutions-SMG4');
    expect(smg4.map((a) => a.path).sort()).toEqual(idsOf(catalogue.secrets).map((id) => `Reprise/Data/${pascal(id)}Secret`).sort());
    for (const ack of acknowledgements) {
      const expected = ack.id === 'AwsSolutions-APIG4' || ack.id === 'AwsSolutions-SMG4' || (ack.id.startsWith('AwsSolutions-IAM5[') && /Role$/.test(ack.path));
      expect(expected, `${ack.path}: ${ack.id}`).toBe(true);
      expect(ack.reason.length, `${ack.path}: ${ack.id}`).toBeGreaterThan(40);
    }
  });
});
