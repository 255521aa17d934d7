/**
 * A project is owned by one org and known everywhere by its generated id
 * (`prj_…`); its name is only a label, unique within its org, so two orgs
 * that pick the same name share nothing.
 */
export interface Project {
  projectId: string;
  orgId: string;
  name: string;
  createdAt: string;
}

export const PROJECT_ID_PATTERN = /^prj_[0-9a-z]{26}$/;

export interface ProjectStore {
  find(orgId: string, name: string): Promise<Project | undefined>;
  /** Stores the project unless the org already has one of that name; false when it had. */
  createIfAbsent(project: Project): Promise<boolean>;
  list(orgId: string): Promise<Project[]>;
}

/**
 * The org's project of this name: created on first use, the same one after,
 * also when two callers create it at once (the loser reads the winner's).
 */
export async function ensureProject(
  store: ProjectStore,
  orgId: string,
  name: string,
  make: { newProjectId: () => string; now: () => Date },
): Promise<{ project: Project; created: boolean }> {
  const existing = await store.find(orgId, name);
  if (existing) return { project: existing, created: false };
  const project: Project = { projectId: make.newProjectId(), orgId, name, createdAt: make.now().toISOString() };
  if (await store.createIfAbsent(project)) return { project, created: true };
  const winner = await store.find(orgId, name);
  if (!winner) throw new Error(`Project ${orgId}/${name} was created concurrently but cannot be read back`);
  return { project: winner, created: false };
}
