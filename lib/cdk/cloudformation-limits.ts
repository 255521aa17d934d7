import { CfnOutput, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';

/** What CloudFormation allows in one stack's template, nested or not (hard limits, no quota increase). */
export const cloudFormationLimits = { resources: 500, parameters: 200, outputs: 200 } as const;

export type TemplateCounts = Record<keyof typeof cloudFormationLimits, number>;

/** The resources, parameters and outputs of one stack's own template (a nested stack counts as one resource of its parent). */
export function templateCounts(stack: Stack): TemplateCounts {
  const counts: TemplateCounts = { resources: 0, parameters: 0, outputs: 0 };
  for (const construct of stack.node.findAll()) {
    if (Stack.of(construct) !== stack) continue;
    if (CfnResource.isCfnResource(construct)) counts.resources += 1;
    else if (construct instanceof CfnParameter) counts.parameters += 1;
    else if (construct instanceof CfnOutput) counts.outputs += 1;
  }
  return counts;
}

/**
 * Fails `cdk synth` when a stack is over a CloudFormation limit, naming the
 * stack, instead of letting a deployment fail half-way. Runs after CDK has
 * added the parameters and outputs that carry references between stacks.
 */
export function enforceCloudFormationLimits(stack: Stack): void {
  stack.node.addValidation({
    validate: () => {
      const counts = templateCounts(stack);
      return (Object.keys(cloudFormationLimits) as (keyof TemplateCounts)[])
        .filter((kind) => counts[kind] > cloudFormationLimits[kind])
        .map(
          (kind) =>
            `${stack.node.path} has ${counts[kind]} ${kind}, over CloudFormation's ${cloudFormationLimits[kind]} per stack: ` +
            'move some handlers of its capability into a directory of their own, which gets a nested stack of its own (lib/cdk/function-groups.ts)',
        );
    },
  });
}

/**
 * What every stack stays within with today's catalogue and with the next
 * capabilities (test/infra checks both): room left under each hard limit, so a
 * capability's stack is split before it is near one, never during a deployment.
 */
export const stackBudget: TemplateCounts = { resources: 400, parameters: 150, outputs: 150 };
