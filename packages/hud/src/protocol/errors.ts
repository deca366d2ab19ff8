// The two error families: RpcError travels on the wire (JSON-RPC code + message); HudError stays local.

/** JSON-RPC error codes used on the control channel. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerError: -32000,
  Unauthorized: -32001,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const RPC_ERROR = Symbol.for("hud.RpcError");
const HUD_ERROR = Symbol.for("hud.HudError");

/** An error that is (or was) a JSON-RPC error frame: code + message. */
export class RpcError extends Error {
  readonly [RPC_ERROR] = true;
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }
  static is(value: unknown): value is RpcError {
    return (
      typeof value === "object" && value !== null && (value as { [RPC_ERROR]?: true })[RPC_ERROR] === true
    );
  }
  toWire(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** A local error (configuration, usage, transport): one clear line, never sent as a frame. */
export class HudError extends Error {
  readonly [HUD_ERROR] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HudError";
  }
  static is(value: unknown): value is HudError {
    return (
      typeof value === "object" && value !== null && (value as { [HUD_ERROR]?: true })[HUD_ERROR] === true
    );
  }
}

/** The message of anything thrown, for one-line error reports. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
