import { sessionReplayLimits as L } from './limits.ts';
import type { PlannedRequest, RecordingRecord, ReplaySpeed, WindowSpec } from './model.ts';

/** How much recorded time one unit of replay time covers. */
const SPEED_FACTOR: Record<Exclude<ReplaySpeed, 'instant'>, number> = { '0.5x': 0.5, '1x': 1, '2x': 2 };

/**
 * When each request is due, from the replay's start: `instant` sends all at
 * once; a timed speed keeps each recorded offset from the session's first
 * request, divided by the speed. Offsets are measured from one start, never
 * from the previous request, so no delay adds up along the session.
 */
export function dueOffset(recordedOffsetMs: number, speed: ReplaySpeed): number {
  if (speed === 'instant') return 0;
  return Math.round(recordedOffsetMs / SPEED_FACTOR[speed]);
}

/** The session's recordings as planned requests, in arrival order. */
export function planRequests(recordings: RecordingRecord[], speed: ReplaySpeed): PlannedRequest[] {
  const first = recordings[0]?.started_at_ms ?? 0;
  return recordings.map((recording, index) => ({
    index,
    recording_id: recording.id,
    method: recording.method,
    path: recording.path,
    query: recording.query,
    headers: recording.request_headers,
    redacted_headers: recording.redacted_headers,
    body: recording.request_body,
    expected_status: recording.response_status,
    expected_body: recording.response_body,
    expected_content_type: recording.response_headers['content-type'] ?? null,
    expected_content_encoding: recording.response_headers['content-encoding'] ?? null,
    // Arrival order is the order; a clock step backwards never schedules a request before its predecessor.
    offset_ms: dueOffset(Math.max(0, recording.started_at_ms - first), speed),
  }));
}

/**
 * Cuts a plan into windows one worker each can send: at most `windowSpanMs`
 * of schedule (timed speeds), `maxWindowRequests` requests and
 * `maxWindowBodyBytes` of bodies to hold.
 */
export function planWindows(requests: PlannedRequest[], speed: ReplaySpeed, spanMs: number = L.windowSpanMs): WindowSpec[] {
  const windows: WindowSpec[] = [];
  let current: WindowSpec | undefined;
  let bytes = 0;
  for (const request of requests) {
    const size = (request.body?.size ?? 0) + (request.expected_body?.size ?? 0);
    const full =
      current !== undefined &&
      (current.count >= L.maxWindowRequests ||
        bytes + size > L.maxWindowBodyBytes ||
        (speed !== 'instant' && request.offset_ms - current.start_offset_ms >= spanMs));
    if (!current || full) {
      current = { first: request.index, count: 0, start_offset_ms: request.offset_ms, end_offset_ms: request.offset_ms };
      windows.push(current);
      bytes = 0;
    }
    current.count++;
    current.end_offset_ms = request.offset_ms;
    bytes += size;
  }
  return windows;
}
