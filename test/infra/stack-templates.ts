import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { stackBudget, type TemplateCounts } from '../../lib/cdk/cloudformation-limits.ts';

// Template JSON is untyped by nature.
type Json = any;

/** One stack's own template: the root stack's, or a nested stack's. */
export interface StackTemplate {
  /** Construct path: `Reprise`, `Reprise/LedgerFunctions`. */
  readonly path: string;
  readonly stack: Stack;
  readonly template: Template;
  /** The template as synthesized, its parameters and outputs unresolved. */
  readonly json: Json;
}

/** The root stack's template and every nested stack's, root first. */
export function stackTemplates(root: Stack): StackTemplate[] {
  const stacks = [root, ...root.node.findAll().filter((construct): construct is NestedStack => NestedStack.isNestedStack(construct))];
  return stacks.map((stack) => {
    const template = Template.fromStack(stack);
    return { path: stack.node.path, stack, template, json: template.toJSON() };
  });
}

/**
 * The templates of the root and every nested stack read as one: each nested
 * stack's `{Ref: <parameter>}` is replaced by the value its parent passes, and
 * each parent's `Fn::GetAtt` of a nested stack's output by that output's
 * value. What a single stack's template said (a grant naming
 * `{"Fn::GetAtt": ["DataLedgerTable…", "Arn"]}`, a route naming its
 * integration) reads the same whichever stack holds the resource, so every
 * assertion about the stack holds across the split. Outputs and parameters
 * are the root stack's; logical ids must be unique across the stacks.
 */
export function mergedTemplate(stacks: readonly StackTemplate[]): { template: Template; stackOf: ReadonlyMap<string, string> } {
  const json = new Map(stacks.map((s) => [s.stack, structuredClone(s.json)]));
  const nested = stacks.filter((s) => s.stack.nestedStackParent !== undefined);
  const resourceIdIn = (child: Stack) => child.nestedStackParent!.resolve((child as NestedStack).nestedStackResource!.logicalId) as string;

  // Parents first: a nested stack's parameters take the values its parent passes.
  for (const child of nested) {
    const parent = json.get(child.stack.nestedStackParent!)!;
    const passed = (parent.Resources[resourceIdIn(child.stack)].Properties?.Parameters ?? {}) as Record<string, Json>;
    json.set(child.stack, replace(json.get(child.stack), (node) => (isRef(node) && node.Ref in passed ? passed[node.Ref] : undefined)));
  }
  // Children first: a parent's reads of a nested stack's outputs take the outputs' values.
  for (const child of [...nested].reverse()) {
    const parent = child.stack.nestedStackParent!;
    const resourceId = resourceIdIn(child.stack);
    const outputs = (json.get(child.stack).Outputs ?? {}) as Record<string, { Value: Json }>;
    json.set(
      parent,
      replace(json.get(parent), (node) => {
        const getAtt = node?.['Fn::GetAtt'];
        if (!Array.isArray(getAtt) || getAtt[0] !== resourceId || !String(getAtt[1]).startsWith('Outputs.')) return undefined;
        const output = outputs[String(getAtt[1]).slice('Outputs.'.length)];
        if (!output) throw new Error(`${parent.node.path} reads ${getAtt[1]}, which ${child.path} does not output`);
        return output.Value;
      }),
    );
  }

  const stackOf = new Map<string, string>();
  const resources: Record<string, Json> = {};
  for (const { stack, path } of stacks) {
    for (const [id, resource] of Object.entries(json.get(stack).Resources as Record<string, Json>)) {
      if (stackOf.has(id)) throw new Error(`Logical id ${id} is in both ${stackOf.get(id)} and ${path}`);
      stackOf.set(id, path);
      resources[id] = resource;
    }
  }
  const root = json.get(stacks[0]!.stack);
  return { template: Template.fromJSON({ ...root, Resources: resources }), stackOf };
}

const isRef = (node: Json): node is { Ref: string } => node !== null && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length === 1 && typeof node.Ref === 'string';

/** A copy of `node` with every part `substitute` answers for (anything but `undefined`) replaced by its answer. */
function replace(node: Json, substitute: (node: Json) => Json): Json {
  const replaced = substitute(node);
  if (replaced !== undefined) return structuredClone(replaced);
  if (Array.isArray(node)) return node.map((item) => replace(item, substitute));
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, replace(value, substitute)]));
  return node;
}

/** The resources, parameters and outputs of one stack's own template. */
export function countsOf(json: Json): TemplateCounts {
  const count = (section: unknown) => Object.keys(section ?? {}).length;
  return { resources: count(json.Resources), parameters: count(json.Parameters), outputs: count(json.Outputs) };
}

/** Every stack, root and nested, within the budget the README states. */
export function expectWithinBudget(stacks: readonly StackTemplate[]): void {
  for (const { path, json } of stacks) {
    const counts = countsOf(json);
    for (const kind of Object.keys(stackBudget) as (keyof TemplateCounts)[]) {
      expect(counts[kind], `${kind} of ${path}`).toBeLessThanOrEqual(stackBudget[kind]);
    }
  }
}
