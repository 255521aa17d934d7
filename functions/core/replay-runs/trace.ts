/** A trace envelope of a traffic manifest (the fields a token-shape replay uses). */
export interface TraceEnvelope {
  input_tokens: number;
  output_tokens: number;
  candidate_reuse_tokens?: number | undefined;
  realized_reused_tokens?: number | undefined;
  ttft_ms?: number | undefined;
  latency_ms?: number | undefined;
  /** `"{namespace}:{generation}"`: the cache namespace generation the trace's reuse came from. */
  namespace_generation?: string | undefined;
  /** When the traced request happened (RFC 3339). */
  occurred_at?: string | undefined;
  messages?: { role: string; content: string }[] | undefined;
}

/** A manifest in columns, so metrics run over typed arrays. */
export interface TraceColumns {
  length: number;
  input: Float64Array;
  output: Float64Array;
  realizedReuse: Float64Array;
  /** NaN where the trace gives no candidate reuse (the realized reuse applies). */
  candidateReuse: Float64Array;
  /** Observed time to first token in ms; NaN where the trace has none. */
  ttft: Float64Array;
}

export function toColumns(traces: readonly TraceEnvelope[]): TraceColumns {
  const length = traces.length;
  const columns = {
    length,
    input: new Float64Array(length),
    output: new Float64Array(length),
    realizedReuse: new Float64Array(length),
    candidateReuse: new Float64Array(length),
    ttft: new Float64Array(length),
  };
  traces.forEach((t, i) => {
    columns.input[i] = t.input_tokens;
    columns.output[i] = t.output_tokens;
    columns.realizedReuse[i] = Math.min(t.realized_reused_tokens ?? 0, t.input_tokens);
    columns.candidateReuse[i] = t.candidate_reuse_tokens === undefined ? Number.NaN : Math.min(t.candidate_reuse_tokens, t.input_tokens);
    columns.ttft[i] = t.ttft_ms ?? Number.NaN;
  });
  return columns;
}

/** What a report says of the manifest it replayed. */
export function manifestSummary(ref: string, traces: readonly TraceEnvelope[]) {
  let input = 0;
  let output = 0;
  let reuse = 0;
  let fullFidelity = 0;
  for (const t of traces) {
    input += t.input_tokens;
    output += t.output_tokens;
    reuse += t.realized_reused_tokens ?? 0;
    if (t.messages?.length) fullFidelity++;
  }
  return {
    ref,
    traces: traces.length,
    total_input_tokens: input,
    total_output_tokens: output,
    total_realized_reuse_tokens: reuse,
    traces_with_full_fidelity_payload: fullFidelity,
  };
}
