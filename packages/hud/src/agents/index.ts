// Entry point `hud/agents`: the agent contract, model agents (Claude, OpenAI, Gemini, OpenAI-compatible) with
// their tool loop, and the agents that need no model (oracle, nop, human, replay).
export type { Agent, AgentConfigLike } from "../eval/agent.ts";
export { type HumanOptions, human } from "./builtin/human.ts";
export { nop } from "./builtin/nop.ts";
export { oracle } from "./builtin/oracle.ts";
export { BUILTIN_AGENTS, type BuiltinAgentName, builtinAgent } from "./builtin/registry.ts";
export { type ReplayReport, type ReplaySource, replay } from "./builtin/replay.ts";
export { AGENT_DEFAULTS, createAgent, type ModelAgentOptions } from "./create-agent.ts";
export { AGENT_TYPES, type AgentType, createModelClient, type ModelClientOptions } from "./create-model.ts";
export type { ContentPart, ConversationMessage, ModelToolCall, ToolOutput } from "./model/conversation.ts";
export type {
  CallUsage,
  FinishReason,
  ModelClient,
  ModelRequest,
  ModelTurn,
  ToolSpec,
} from "./model/model-client.ts";
export { costOf, loadPriceTable, type PriceTable } from "./models/prices.ts";
export { AnthropicModel, type AnthropicModelOptions } from "./providers/anthropic/anthropic-model.ts";
export { GeminiModel, type GeminiModelOptions } from "./providers/gemini/gemini-model.ts";
export { OpenAIModel, type OpenAIModelOptions } from "./providers/openai/openai-model.ts";
export { OpenAIChatModel, type OpenAIChatModelOptions } from "./providers/openai-chat/openai-chat-model.ts";
export { type Pricing, ToolAgent, type ToolAgentConfig, type ToolAgentOptions } from "./tool-agent.ts";
export { type AgentTool, type ToolContext, textOutput } from "./tools/tool.ts";
