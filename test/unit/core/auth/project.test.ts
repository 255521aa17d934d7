import { describe, expect, it } from 'vitest';
import { issueApiKey } from '../../../../functions/core/auth/issue-key.ts';
import { ensureProject, type Project, type ProjectStore } from '../../../../functions/core/auth/project.ts';
import type { ApiKeyRecord } from '../../../../functions/core/auth/api-key.ts';

/** Projects in memory, keyed as the table is: (org, name). `beforeCreate` lets a test slip in a concurrent writer. */
function memoryProjects(beforeCreate?: (store: Map<string, Project>) => void): ProjectStore & { all: Map<string, Project> } {
  const all = new Map<string, Project>();
  return {
    all,
    find: async (orgId, name) => all.get(`${orgId}/${name}`),
    async createIfAbsent(project) {
      beforeCreate?.(all);
      const key = `${project.orgId}/${project.name}`;
      if (all.has(key)) return false;
      all.set(key, project);
      return true;
    },
    list: async (orgId) => [...all.values()].filter((p) => p.orgId === orgId),
  };
}

let counter = 0;
const make = { newProjectId: () => `prj_${String(++counter).padStart(26, '0')}`, now: () => new Date('2026-11-30T00:00:00Z') };

describe('ensureProject', () => {
  it('creates the project on first use and returns the same one afterwards', async () => {
    const store = memoryProjects();
    const first = await ensureProject(store, 'acme', 'checkout', make);
    const again = await ensureProject(store, 'acme', 'checkout', make);
    expect(first.created).toBe(true);
    expect(again).toEqual({ project: first.project, created: false });
  });

  it('gives two orgs that pick the same name two projects with different ids', async () => {
    const store = memoryProjects();
    const [a, b] = [await ensureProject(store, 'acme', 'shared', make), await ensureProject(store, 'globex', 'shared', make)];
    expect(a.project.projectId).not.toBe(b.project.projectId);
    expect(await store.list('acme')).toEqual([a.project]);
  });

  it("reads the winner's project when another caller creates the same name first", async () => {
    const winner: Project = { projectId: 'prj_winner0000000000000000000', orgId: 'acme', name: 'race', createdAt: '2026-01-01T00:00:00Z' };
    const store = memoryProjects((all) => all.set('acme/race', winner));
    expect(await ensureProject(store, 'acme', 'race', make)).toEqual({ project: winner, created: false });
  });
});

describe('issueApiKey', () => {
  it('stores only the hash, with the project id and name', async () => {
    const stored: ApiKeyRecord[] = [];
    const issued = await issueApiKey(
      { projects: memoryProjects(), keys: { create: async (record) => void stored.push(record) }, ...make, newKeyId: () => 'key_1' },
      { orgId: 'acme', projectName: 'checkout', label: 'ci' },
    );
    expect(issued.key).toMatch(/^rpr_/);
    expect(stored).toEqual([
      { keyHash: expect.stringMatching(/^[0-9a-f]{64}$/), keyId: 'key_1', orgId: 'acme', projectId: issued.project.projectId, projectName: 'checkout', createdAt: '2026-11-30T00:00:00.000Z', label: 'ci' },
    ]);
    expect(JSON.stringify(stored)).not.toContain(issued.key);
  });
});
