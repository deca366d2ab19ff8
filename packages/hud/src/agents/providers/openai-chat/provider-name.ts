// The provider name this adapter reports and stamps on the assistant turns it records.

/** Same as the Python SDK's agent type for OpenAI-compatible servers. */
export const OPENAI_CHAT_PROVIDER = "openai_compatible";
