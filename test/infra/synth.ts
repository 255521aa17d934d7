import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RepriseStack } from '../../lib/cdk/reprise-stack.ts';

/** Synthesizes the stack without running esbuild (asset bundling skipped for every stack). */
export function synthesize(): { app: App; stack: RepriseStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RepriseStack(app, 'Reprise');
  return { app, stack, template: Template.fromStack(stack) };
}
