/** One chat message of a full-fidelity trace. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** One call of a model through the provider broker. */
export interface ChatRequest {
  /** The provider part of the target (`openai` of `openai/gpt-4o`): which configured provider answers. */
  provider: string;
  /** The model id sent to the provider. */
  model: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
  /** Limit of this attempt, from sending to the last byte. */
  timeoutMs: number;
  /** Sent as `x-request-id`, so a provider's logs can be matched with the run's. */
  requestId: string;
}

/** Token counts as the provider reported them. */
export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export type ChatResult =
  | {
      ok: true;
      content: string;
      /** null when the provider reported no usage. */
      usage: ChatUsage | null;
      /** Time to the first content token (streaming); null when the answer was not streamed or had no content. */
      ttftMs: number | null;
      latencyMs: number;
      /** The model the provider says answered. */
      servedModel: string | null;
    }
  | {
      ok: false;
      /** `http_<status>`, `timeout`, `network`, `redirect`, `too_large` or `invalid_response`. */
      reason: string;
      retryable: boolean;
      /** From a Retry-After header, when the provider sent one. */
      retryAfterMs?: number | undefined;
      /** Safe to store and show: never a header or a credential. */
      message: string;
      latencyMs: number;
    };

/** Calls configured providers; never a URL from a request. */
export interface ChatBroker {
  complete(request: ChatRequest): Promise<ChatResult>;
}

/** The providers this deployment has configured (names only: credentials stay in the adapter). */
export interface ProviderDirectory {
  configured(): Promise<ReadonlySet<string>>;
}
