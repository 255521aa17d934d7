/**
 * Keys of the recordings bucket. Every key starts from the project id, then
 * the endpoint, so one prefix holds all an endpoint owns (its purge deletes it).
 */
export interface RecordingPlace {
  projectId: string;
  endpointId: string;
  sessionId: string;
  recordingId: string;
}

export const endpointPrefix = (projectId: string, endpointId: string) => `${projectId}/${endpointId}/`;

export const bodyKey = (at: RecordingPlace, side: 'request' | 'response') =>
  `${endpointPrefix(at.projectId, at.endpointId)}sessions/${at.sessionId}/${at.recordingId}/${side}`;

/** A replay's place: its project, endpoint and id. */
export interface ReplayPlace {
  project_id: string;
  endpoint_id: string;
  id: string;
}

export const planKey = (at: ReplayPlace, window: number) => `${endpointPrefix(at.project_id, at.endpoint_id)}replays/${at.id}/plan/${window}.json`;
export const resultsKey = (at: ReplayPlace, window: number) => `${endpointPrefix(at.project_id, at.endpoint_id)}replays/${at.id}/results/${window}.json`;
