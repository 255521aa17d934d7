import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { repositoryRoot } from '../../lib/cdk/constructs/reprise-function.ts';
import { allFunctions } from './template-queries.ts';

const specs = allFunctions(catalogue);

/** The repository files esbuild puts into a function's bundle (packages left out: only our own modules matter here). */
async function ownInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [resolve(repositoryRoot, entry)],
    absWorkingDir: repositoryRoot,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('function bundles', () => {
  it.each(specs.map((spec) => [spec.entry] as const))('%s carries no deployment configuration (cdk.json)', async (entry) => {
    const inputs = await ownInputs(entry);

    expect(inputs).toContain(entry);
    expect(inputs.filter((input) => input === 'cdk.json' || input.startsWith('lib/deployment-config') || input.startsWith('lib/cdk/'))).toEqual([]);
  });
});
