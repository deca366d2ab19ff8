// Every tool of every `mcp` capability passed through to the model, with provider-safe names.
import type { McpClient, McpToolResult } from "../../capabilities/clients/mcp.ts";
import type { ContentPart, ToolOutput } from "../model/conversation.ts";
import type { AgentTool } from "./tool.ts";
import { providerToolName } from "./tool-names.ts";

/** MCP content as model content: text and images kept, other blocks described in text. */
export function toolOutputOf(result: McpToolResult): ToolOutput {
  const content: ContentPart[] = [];
  for (const block of result.content) {
    if (block.type === "text" && typeof block.text === "string")
      content.push({ type: "text", text: block.text });
    else if (block.type === "image" && typeof block.data === "string") {
      content.push({ type: "image", mediaType: String(block.mimeType ?? "image/png"), data: block.data });
    } else if (block.type === "resource" && typeof block.resource === "object" && block.resource !== null) {
      const resource = block.resource as Record<string, unknown>;
      content.push({
        type: "text",
        text: typeof resource.text === "string" ? resource.text : `[resource ${String(resource.uri)}]`,
      });
    } else content.push({ type: "text", text: `[${block.type} content]` });
  }
  if (content.length === 0 && result.structuredContent) {
    content.push({ type: "text", text: JSON.stringify(result.structuredContent) });
  }
  return {
    content,
    isError: result.isError,
    ...(result.structuredContent ? { structured: result.structuredContent } : {}),
  };
}

/** The tools of each client; with more than one capability, names are prefixed `<capability>__`. */
export async function mcpTools(
  clients: readonly { name: string; client: McpClient }[],
): Promise<AgentTool[]> {
  const prefixed = clients.length > 1;
  const tools: AgentTool[] = [];
  for (const { name: capName, client } of clients) {
    for (const tool of await client.listTools()) {
      const wanted = prefixed ? `${capName}__${tool.name}` : tool.name;
      tools.push({
        spec: {
          name: providerToolName(wanted),
          description: tool.description || `Call ${tool.name}`,
          parameters: (tool.inputSchema as Record<string, unknown> | undefined) ?? {
            type: "object",
            properties: {},
          },
        },
        async call(args, ctx) {
          // A failed call (the server refused it, it timed out) is the model's to see, as in the Python SDK.
          return toolOutputOf(
            await client.callTool(tool.name, args, { signal: ctx.signal, timeout: ctx.timeoutSeconds }),
          );
        },
      });
    }
  }
  return tools;
}
