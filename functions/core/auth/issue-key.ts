import { generateApiKey, type ApiKeyRecord } from './api-key.ts';
import { ensureProject, type Project, type ProjectStore } from './project.ts';

export interface IssueKeyDependencies {
  projects: ProjectStore;
  keys: { create(record: ApiKeyRecord): Promise<void> };
  newProjectId: () => string;
  newKeyId: () => string;
  now: () => Date;
}

/**
 * A new API key for the org's project of this name, creating the project on
 * first use. Returns the key (to show once) and what was stored.
 */
export async function issueApiKey(
  deps: IssueKeyDependencies,
  request: { orgId: string; projectName: string; label?: string | undefined },
): Promise<{ key: string; keyId: string; project: Project; projectCreated: boolean }> {
  const { project, created } = await ensureProject(deps.projects, request.orgId, request.projectName, deps);
  const { key, keyHash } = generateApiKey();
  const keyId = deps.newKeyId();
  await deps.keys.create({
    keyHash,
    keyId,
    orgId: project.orgId,
    projectId: project.projectId,
    projectName: project.name,
    createdAt: deps.now().toISOString(),
    ...(request.label ? { label: request.label } : {}),
  });
  return { key, keyId, project, projectCreated: created };
}
