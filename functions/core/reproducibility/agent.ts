/** An agent of a project: seen in its sessions, or named when its replay_url was saved. */
export interface AgentRecord {
  agent_id: string;
  replay_url: string | null;
  ignore_paths: string[];
  session_count: number;
  first_seen_at: string | null;
  last_seen_at: string | null;
  updated_at: string | null;
}

export function emptyAgent(agentId: string): AgentRecord {
  return { agent_id: agentId, replay_url: null, ignore_paths: [], session_count: 0, first_seen_at: null, last_seen_at: null, updated_at: null };
}
