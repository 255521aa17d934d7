import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { getRecording } from './contract.ts';

export const handler = httpRoute(getRecording, async ({ caller, path }) => ({
  status: 200,
  body: await sessionReplay.getRecording(caller.projectId, path.endpoint_id, path.session_id, path.recording_id),
}));
