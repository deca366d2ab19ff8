// Environment: the declaration an author writes — name, templates, capabilities, lifecycle hooks.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { Capability } from "../capabilities/capability.ts";
import type { JsonObject } from "../protocol/jsonrpc.ts";
import {
  attachMcpServer,
  attachMcpStdio,
  type McpOptions,
  type McpServerLike,
  type McpStdioOptions,
} from "./mcp/attach.ts";
import { Template, type TemplateBody, type TemplateHandle, type TemplateOptions } from "./template.ts";
import { attachWorkspace } from "./workspace/attach.ts";
import type { Workspace, WorkspaceOptions } from "./workspace/workspace.ts";

const ENVIRONMENT = Symbol.for("hud.Environment");

type Hook = () => unknown;

export interface EnvironmentOptions {
  name: string;
  version?: string;
  capabilities?: Capability[];
}

type SchemaArgs<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : JsonObject;
type SchemaInputArgs<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : JsonObject;

export class Environment {
  readonly [ENVIRONMENT] = true;
  readonly name: string;
  readonly version: string;
  readonly templates = new Map<string, Template<unknown>>();
  private readonly caps = new Map<string, Capability>();
  private readonly attachedWorkspaces: Workspace[] = [];
  private readonly startHooks: Hook[] = [];
  private readonly stopHooks: Hook[] = [];
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: EnvironmentOptions) {
    if (typeof options?.name !== "string" || options.name === "") {
      throw new TypeError("new Environment({ name }): 'name' must be a non-empty string");
    }
    this.name = options.name;
    this.version = options.version ?? "0.0.0";
    for (const cap of options.capabilities ?? []) this.addCapability(cap);
  }

  /** Brand check that works across copies of the package. */
  static is(value: unknown): value is Environment {
    return (
      typeof value === "object" && value !== null && (value as { [ENVIRONMENT]?: true })[ENVIRONMENT] === true
    );
  }

  /** Register a hook run by `start()` (in registration order) before the environment serves. */
  initialize(hook: Hook): this {
    this.startHooks.push(hook);
    return this;
  }

  /** Register a hook run by `stop()`; hooks run in reverse registration order. */
  shutdown(hook: Hook): this {
    this.stopHooks.push(hook);
    return this;
  }

  /** Publish a capability; replaces a same-named entry. */
  addCapability(cap: Capability): Capability {
    const value = cap instanceof Capability ? cap : Capability.fromManifest(cap);
    this.caps.set(value.name, value);
    return value;
  }

  removeCapability(name: string): boolean {
    return this.caps.delete(name);
  }

  /**
   * Attach the built-in sandboxed shell workspace (an ssh/2 capability named `shell`, plus file tracking),
   * started by `start()` and stopped by `stop()`. `ws.root` is its absolute directory on this host.
   */
  workspace(root: string, options: WorkspaceOptions = {}): Workspace {
    const workspace = attachWorkspace(this, root, options);
    this.attachedWorkspaces.push(workspace);
    return workspace;
  }

  /** The workspaces attached with `workspace()`, in order (graders such as BashGrader run in the only one). */
  get workspaces(): readonly Workspace[] {
    return [...this.attachedWorkspaces];
  }

  /** Host an MCP server (built with @modelcontextprotocol/sdk) over streamable HTTP; publishes an `mcp` capability. */
  mcp(server: McpServerLike, options: McpOptions = {}): void {
    attachMcpServer(this, server, options);
  }

  /** Run a stdio MCP server (e.g. one installed from npm) behind a streamable-HTTP endpoint; publishes `mcp`. */
  mcpStdio(command: string, args: string[] = [], options: McpStdioOptions = {}): void {
    attachMcpStdio(this, command, args, options);
  }

  capability(name: string): Capability | undefined {
    return this.caps.get(name);
  }

  get capabilities(): Capability[] {
    return [...this.caps.values()];
  }

  /**
   * Declare a template. Long form `template({ id, description, args, returns, solution }, fn)`,
   * short form `template("id", fn)`, or `template(fn)` named after the function.
   */
  template<const O extends TemplateOptions<SchemaArgs<O["args"]>>>(
    options: O,
    body: TemplateBody<SchemaArgs<O["args"]>>,
  ): TemplateHandle<SchemaInputArgs<O["args"]>, SchemaArgs<O["args"]>>;
  template<A = JsonObject>(id: string, body: TemplateBody<A>): TemplateHandle<A, A>;
  template<A = JsonObject>(body: TemplateBody<A>): TemplateHandle<A, A>;
  template(
    first: TemplateOptions<JsonObject> | string | TemplateBody<JsonObject>,
    second?: TemplateBody<JsonObject>,
  ): TemplateHandle {
    let options: TemplateOptions<JsonObject>;
    let body: TemplateBody<JsonObject> | undefined;
    if (typeof first === "function") {
      options = {};
      body = first;
    } else if (typeof first === "string") {
      options = { id: first };
      body = second;
    } else {
      options = first ?? {};
      body = second;
    }
    if (typeof body !== "function") {
      throw new TypeError("env.template(...): the body must be a generator function");
    }
    const template = new Template<JsonObject>(this.name, options, body);
    if (this.templates.has(template.id)) {
      throw new TypeError(`environment '${this.name}' already has a template '${template.id}'`);
    }
    this.templates.set(template.id, template as unknown as Template<unknown>);
    const handle = (args: JsonObject = {}, extra = {}) => template.row(args, extra, this);
    Object.defineProperties(handle, {
      id: { value: template.id, enumerable: true },
      template: { value: template, enumerable: true },
    });
    return handle as TemplateHandle;
  }

  /** Alias of `template` (the platform's older name). */
  scenario: Environment["template"] = ((...args: Parameters<Environment["template"]>) =>
    (this.template as (...a: unknown[]) => TemplateHandle)(...args)) as Environment["template"];

  /** Run the initialize hooks once; concurrent and repeated calls share the first run. */
  start(): Promise<void> {
    if (!this.starting) {
      this.stopping = undefined;
      this.starting = (async () => {
        for (const hook of this.startHooks) await hook();
      })();
    }
    return this.starting;
  }

  /** Run the shutdown hooks in reverse order; every hook runs even if one fails (the first error is thrown). */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        const errors: unknown[] = [];
        for (const hook of [...this.stopHooks].reverse()) {
          try {
            await hook();
          } catch (error) {
            errors.push(error);
          }
        }
        this.starting = undefined;
        if (errors.length > 0) throw errors[0];
      })();
    }
    return this.stopping;
  }
}
