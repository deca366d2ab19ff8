// What a command may touch: its working directory, environment variables, output streams, and a stop signal.
import { HudError } from "../protocol/errors.ts";

export interface CliIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM for long-running commands. */
  signal: AbortSignal;
  verbose: boolean;
}

/** A command: parses its own argv, returns the exit code. Only bin.ts calls process.exit. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** A mistake in how the command was called: one line, exit code 2. */
export class UsageError extends HudError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
