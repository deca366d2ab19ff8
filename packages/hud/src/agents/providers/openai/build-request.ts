// One ModelRequest as a Responses API request body, stateless (see convert-input.ts for why).
import type { ResponseCreateParamsNonStreaming } from "openai/resources/responses/responses";
import type { Reasoning } from "openai/resources/shared";
import { memoByIdentity } from "../../model/memo-by-identity.ts";
import type { ModelRequest } from "../../model/model-client.ts";
import { convertInput } from "./convert-input.ts";
import { prepareTools } from "./prepare-tools.ts";

/** The tool loop passes one tool list per conversation: its declarations are built once. */
const toolsOf = memoByIdentity(prepareTools);

/** The model's settings that go into every request. */
export interface OpenAIRequestSettings {
  model: string;
  /** Output token cap when the request sets none. */
  maxOutputTokens?: number;
  /** e.g. `{effort: "low", summary: "auto"}`; a summary is what the trace shows as the turn's reasoning. */
  reasoning?: Reasoning;
  temperature?: number;
}

export function buildRequest(
  request: ModelRequest,
  settings: OpenAIRequestSettings,
): ResponseCreateParamsNonStreaming {
  const maxOutputTokens = request.maxTokens ?? settings.maxOutputTokens;
  const tools = toolsOf(request.tools);
  return {
    model: settings.model,
    input: convertInput(request.messages),
    ...(request.system ? { instructions: request.system } : {}),
    // An empty tool list is refused by some compatible servers; leaving it out means the same.
    ...(tools.length > 0 ? { tools } : {}),
    ...(maxOutputTokens === undefined ? {} : { max_output_tokens: maxOutputTokens }),
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    // Unstored reasoning can only be sent back encrypted; ask for it whenever reasoning is configured.
    ...(settings.reasoning === undefined
      ? {}
      : { reasoning: settings.reasoning, include: ["reasoning.encrypted_content"] }),
    store: false,
    stream: false,
  };
}
