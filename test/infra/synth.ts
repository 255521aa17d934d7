import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Catalogue } from '../../lib/cdk/catalogue-input.ts';
import { RepriseStack } from '../../lib/cdk/reprise-stack.ts';

/** The feature flags `cdk synth` uses, so the tests see the template that gets deployed. */
export const cdkContext: Record<string, unknown> = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

export interface SynthOptions {
  /** @default the catalogue in lib/catalogue.ts */
  readonly catalogue?: Catalogue;
  /** Register cdk-nag's AwsSolutions pack as `bin/app.ts` does. @default false */
  readonly nag?: boolean;
  /** Run CDK's built-in CloudFormation validation too, as `cdk synth` does (about 5 s). @default false */
  readonly cloudFormationValidation?: boolean;
}

/**
 * Synthesizes the stack without running esbuild: an empty
 * `aws:cdk:bundling-stacks` makes every asset skip bundling (functions.test.ts
 * checks that nothing was bundled).
 */
export function synthesize(options: SynthOptions = {}): { app: App; stack: RepriseStack; template: Template } {
  const app = new App({
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const stack = new RepriseStack(app, 'Reprise', options.catalogue ? { catalogue: options.catalogue } : {});
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}
