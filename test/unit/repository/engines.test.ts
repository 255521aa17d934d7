import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const packageJson = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

/** Every installed package's `engines.node` range (the root package's own left out). */
const ranges = Object.entries(lock.packages)
  .filter(([path, entry]) => path !== '' && entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
  .map(([path, entry]) => [path.replace(/^.*node_modules\//, ''), (entry.engines as { node: string }).node] as const)
  .filter(([, range]) => semver.validRange(range));

describe('npm install on the Node a newcomer has', () => {
  it('warns about no engine on the README’s version “without engine warnings”, and the README says which version that is', () => {
    const quietFrom = ranges.map(([, range]) => semver.minVersion(range)!.version).sort(semver.compare).at(-1)!;
    const stated = /without engine warnings from Node (\d+\.\d+\.\d+)/.exec(readme)?.[1];

    expect(stated).toBe(quietFrom);
    expect(ranges.filter(([, range]) => !semver.satisfies(quietFrom, range))).toEqual([]);
    expect(semver.satisfies(quietFrom, packageJson.engines.node)).toBe(true);
  });

  it('accepts, in its own engines, the oldest Node npm itself runs on (scripts run on the Node 24 of the `node` dev dependency)', () => {
    expect(semver.satisfies('20.17.0', packageJson.engines.node)).toBe(true);
    expect(semver.minVersion(packageJson.devDependencies.node!)!.major).toBe(24);
  });
});
