// A run's capabilities as tools: the first workspace (`ssh/2`) binding in a provider's flavor, and every tool of
// every `mcp` binding (python-sdk §4.2 step 1).

import { PROTOCOLS } from "../../capabilities/capability.ts";
import { McpClient } from "../../capabilities/clients/mcp.ts";
import { SshClient } from "../../capabilities/clients/ssh.ts";
import type { Run } from "../../eval/run.ts";
import { mcpTools } from "./mcp-tools.ts";
import type { AgentTool } from "./tool.ts";
import { WorkspaceOps } from "./workspace-ops.ts";
import { type WorkspaceToolFlavor, workspaceTools } from "./workspace-tools.ts";

/** Clients are opened through the run, so they close with its connection. */
export async function capabilityTools(run: Run, flavor: WorkspaceToolFlavor): Promise<AgentTool[]> {
  const tools: AgentTool[] = [];
  const ssh = run.bindings.find((cap) => cap.protocol === PROTOCOLS.ssh);
  if (ssh) {
    const client = await run.open(ssh.name, SshClient);
    const cwd = typeof ssh.params.cwd === "string" ? ssh.params.cwd : "/workspace";
    tools.push(...workspaceTools(new WorkspaceOps(client, cwd), flavor));
  }
  const mcps = [];
  for (const cap of run.bindings.filter((c) => c.protocol === PROTOCOLS.mcp)) {
    mcps.push({ name: cap.name, client: await run.open(cap.name, McpClient) });
  }
  tools.push(...(await mcpTools(mcps)));
  return tools;
}
