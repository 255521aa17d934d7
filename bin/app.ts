/**
 * The CDK app: `npx cdk synth` (offline, no credentials needed) / `npx cdk deploy`.
 * cdk-nag's AwsSolutions pack runs as a validation plugin on every synth, over the
 * root stack and every nested one, and fails on any finding not acknowledged
 * next to the construct it concerns.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RepriseStack } from '../lib/cdk/reprise-stack.ts';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
new RepriseStack(app, 'Reprise', {
  description: 'Reprise: one serverless replay platform',
  ...(account && region ? { env: { account, region } } : {}),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
