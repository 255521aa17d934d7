/** The CDK app: `npx cdk synth` / `npx cdk deploy` (works offline for synth, without credentials). */
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
