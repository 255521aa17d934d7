/** A session id: the client's, or generated (`ses_` + a time-ordered id). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** An agent id: what the agent calls itself; spaces inside are allowed (OpenTelemetry agent names have them). */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9._:@+-](?:[A-Za-z0-9 ._:@+-]{0,126}[A-Za-z0-9._:@+-])?$/;
export const RUN_ID_PATTERN = /^rep_[0-9a-z]{26}$/;

/** A value from a tracer made into an id: characters outside the pattern become `_`, cut to 128. */
export function sanitizeId(value: string, pattern: 'session' | 'agent'): string {
  const allowed = pattern === 'session' ? /[^A-Za-z0-9._:-]/g : /[^A-Za-z0-9 ._:@+-]/g;
  let id = value.replace(allowed, '_').slice(0, 128);
  if (pattern === 'agent') id = id.trim().replace(/^[ ]+|[ ]+$/g, '') || '_';
  return id || '_';
}
