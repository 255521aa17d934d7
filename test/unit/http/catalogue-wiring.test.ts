import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contracts } from '../../../functions/http/contracts.ts';
import type { RouteContract } from '../../../functions/shared/http/contract.ts';
import { detachedLimits } from '../../../functions/core/detached-replay/limits.ts';
import { authorizer, fallbackRoute, queues, routes, scheduled, tables, workers } from '../../../lib/catalogue.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('the catalogue routes and the route contracts', () => {
  it('pair up one to one by method and path', () => {
    const fromCatalogue = countBy(routes, routeKey);
    const fromContracts = countBy(contracts, routeKey);
    for (const key of fromCatalogue.keys()) expect(fromContracts.get(key) ?? 0, `contracts for ${key}`).toBe(1);
    for (const key of fromContracts.keys()) expect(fromCatalogue.get(key) ?? 0, `catalogue routes for ${key}`).toBe(1);
    for (const [key, count] of [...fromCatalogue, ...fromContracts]) expect(count, key).toBe(1);
  });

  it('agree on auth for every route', () => {
    for (const route of routes) {
      const contract = contracts.find((c) => routeKey(c) === routeKey(route));
      expect(contract?.auth, routeKey(route)).toBe(route.auth);
    }
  });
});

describe('the catalogue entry modules', () => {
  const entries = [...routes, authorizer, fallbackRoute, ...workers, ...scheduled].map((spec) => spec.entry);

  it.each(entries)('%s exists and exports a handler', (entry) => {
    const file = resolve(root, entry);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/export (const handler\b|(async )?function handler\b)/);
  });

  it.each(routes)(
    '$method $path runs httpRoute with its own contract',
    async (route) => {
      // Read which contracts the handler wires, without importing the handler
      // (handler modules read their tables' env vars at import time). A module
      // that serves several routes (the page's) wires one contract per route.
      const source = readFileSync(resolve(root, route.entry), 'utf8');
      const wired = [...source.matchAll(/httpRoute\(\s*(\w+)\s*,/g)].map((m) => m[1]!);
      expect(wired.length, `httpRoute(<contract>, …) in ${route.entry}`).toBeGreaterThan(0);
      const wiredContracts = await Promise.all(
        wired.map(async (name) => {
          const from = new RegExp(`import \\{[^}]*\\b${name}\\b[^}]*\\} from '(\\.[^']+)'`).exec(source)?.[1];
          expect(from, `import of ${name} in ${route.entry}`).toBeDefined();
          const module = (await import(resolve(root, dirname(route.entry), from!))) as Record<string, RouteContract>;
          return module[name];
        }),
      );
      const contract = wiredContracts.find((c) => c?.method === route.method && c.path === route.path);
      expect(contract, `a contract for ${route.method} ${route.path} among ${wired.join(', ')}`).toBeDefined();
      expect(contract!.auth).toBe(route.auth);
      expect(contracts).toContain(contract);
    },
  );
});

describe('detached replay timing against its functions', () => {
  it('sends the resume message to arrive only once the starting request can no longer be running', () => {
    const start = routes.find((route) => route.method === 'POST' && route.path === '/api/v1/replay')!;
    expect(detachedLimits.resumeAfterSeconds).toBeGreaterThan(start.timeoutSeconds);
    expect(detachedLimits.inlineBudgetMs / 1000).toBeLessThan(start.timeoutSeconds);
  });

  it('keeps page items past the retention of any page message that could name them', () => {
    expect(detachedLimits.pageItemDays).toBeGreaterThan(queues.detachedPages.retentionDays);
    expect(tables.detached.ttlAttribute).toBe('expires_at');
  });
});
