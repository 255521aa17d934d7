import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Catalogue } from '../../lib/cdk/catalogue-input.ts';
import { RepriseStack } from '../../lib/cdk/reprise-stack.ts';
import { mergedTemplate, stackTemplates, type StackTemplate } from './stack-templates.ts';

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

export interface Synthesized {
  readonly app: App;
  readonly stack: RepriseStack;
  /** The root and every nested stack read as one template (see `mergedTemplate`): what the tests assert on. */
  readonly template: Template;
  /** Each stack's own template, root first. */
  readonly stacks: readonly StackTemplate[];
  /** The construct path of the stack holding a resource, by logical id. */
  readonly stackOf: ReadonlyMap<string, string>;
}

/**
 * Synthesizes the stack without running esbuild: an empty
 * `aws:cdk:bundling-stacks` makes every asset skip bundling (functions.test.ts
 * checks that nothing was bundled).
 */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const app = new App({
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const stack = new RepriseStack(app, 'Reprise', options.catalogue ? { catalogue: options.catalogue } : {});
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stacks = stackTemplates(stack);
  return { app, stack, stacks, ...mergedTemplate(stacks) };
}
