import { afterEach, describe, expect, it, vi } from 'vitest';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { allFunctions, envNamesOf } from './template-queries.ts';

// Every variable any function may get: the others' must be absent while a module loads.
const specs = allFunctions(catalogue);
const granted = new Set(specs.flatMap((spec) => spec.uses.flatMap((access) => envNamesOf(catalogue, access))));
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('every function module', () => {
  it.each(specs.map((spec) => [spec.entry, spec] as const))('%s loads with only the environment its function gets on AWS', async (entry, spec) => {
    for (const name of granted) delete process.env[name];
    for (const access of spec.uses) for (const name of envNamesOf(catalogue, access)) process.env[name] = name === 'DETACHED_ROUTES' ? '{}' : `test-${name}`;
    vi.resetModules();

    const module = (await import(`../../${entry}`)) as { handler?: unknown };

    expect(typeof module.handler).toBe('function');
  });
});
