// Public entry point `hud`: environments, tasks, runtimes, the client, serving.
export {
  Capability,
  type CapabilityInit,
  type CapabilityParams,
  PROTOCOLS,
} from "./capabilities/capability.ts";
/** What `Workspace.exec` returns (the same shape as `SshExecResult`). */
export type { ExecResult as WorkspaceExecResult } from "./capabilities/clients/exec-result.ts";
export { McpClient, type McpClientOptions, type McpToolResult } from "./capabilities/clients/mcp.ts";
export {
  type CapabilityClient,
  type CapabilityClientFactory,
  registerCapabilityClient,
} from "./capabilities/clients/registry.ts";
export {
  SshClient,
  type SshConnectOptions,
  type SshExecOptions,
  type SshExecResult,
} from "./capabilities/clients/ssh.ts";
export { type ConnectOptions, connect, HudClient, parseControlUrl } from "./client/client.ts";
export type { ClientKind } from "./client/open-capability.ts";
export { Answer } from "./environment/answer.ts";
export { Environment, type EnvironmentOptions } from "./environment/environment.ts";
export { TO_GRADE_FRAME } from "./environment/grade.ts";
export { type LoadOptions, loadEnvironment } from "./environment/load.ts";
export type { McpOptions, McpServerLike, McpStdioOptions } from "./environment/mcp/attach.ts";
export type { Schema, SchemaInput } from "./environment/schema.ts";
export { type ServeOptions, serve } from "./environment/serve.ts";
export { type BindOptions, bind, type HudServer } from "./environment/server/control-server.ts";
export { defaultSlug, type RuntimeConfig, Task, type TaskInit, type TaskRow } from "./environment/task.ts";
export type {
  SolutionContext,
  Template,
  TemplateGenerator,
  TemplateHandle,
  TemplateOptions,
} from "./environment/template.ts";
export type {
  WorkspaceExecOptions,
  WorkspaceLimits,
  WorkspaceOptions,
} from "./environment/workspace/workspace.ts";
export { Workspace } from "./environment/workspace/workspace.ts";
export type { Agent, AgentConfigLike } from "./eval/agent.ts";
export { Grade } from "./eval/grade.ts";
export { Job } from "./eval/job.ts";
export { type RolloutObserver, type RolloutOptions, rollout } from "./eval/rollout.ts";
export { describeError, type Prompt, Run } from "./eval/run.ts";
export { type JobObserver, type PlannedRollout, planRollouts, type RunOptions } from "./eval/schedule.ts";

import "./eval/task-run.ts";

export { type TaskSelector, Taskset, type TasksetOptions } from "./eval/taskset.ts";
export type {
  AgentStep,
  BaseStep,
  ContentBlock,
  PromptMessage,
  Step,
  StepInput,
  StepSource,
  StopReason,
  TaskCall,
  ToolCall,
  ToolResult,
  ToolStep,
  TraceData,
  TraceStatus,
  Usage,
} from "./eval/trace.ts";
export { Trace } from "./eval/trace.ts";
export { ErrorCode, HudError, RpcError } from "./protocol/errors.ts";
export type {
  CapabilityManifest,
  ChatMessage,
  GradeFrame,
  HelloResult,
  ManifestEntry,
  PromptFrame,
} from "./protocol/methods.ts";
export { DockerRuntime, type DockerRuntimeOptions } from "./runtime/docker/docker-runtime.ts";
export { type ReapOptions, reapContainers } from "./runtime/docker/reaper.ts";
export { LocalRuntime, type LocalRuntimeOptions, type LocalSource } from "./runtime/local.ts";
export type { Lease, Placement } from "./runtime/placement.ts";
export { Shared, type SharedOptions } from "./runtime/shared.ts";
export { SubprocessRuntime, type SubprocessRuntimeOptions } from "./runtime/subprocess.ts";
export { Runtime, type RuntimeOptions } from "./runtime/tcp.ts";
export { hudHome, LocalStore } from "./store/local-store.ts";
export type {
  JobDetail,
  JobMeta,
  JobRecord,
  JobStatus,
  JobSummary,
  StoredTrace,
  StoredTraceStatus,
  TraceSummary,
  TraceTotals,
} from "./store/records.ts";
export { normalizeTraceId, type Span, stepSpan } from "./telemetry/span.ts";
export { SpanFileSink, spanFilePath } from "./telemetry/span-file-sink.ts";
