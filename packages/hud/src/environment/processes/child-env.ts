// The environment variables a spawned environment gets: the parent's, minus credentials, plus what was asked for.

/**
 * Names that look like credentials: provider and HUD API keys, tokens, secrets, passwords. An environment
 * runs task code (and often an agent's commands), so it must not inherit the runner's keys by accident.
 */
const SECRET_NAME = /(?:^|_)(?:(?:API_?KEY|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|CREDENTIALS?)(?:$|_)|SECRET)/i;

/** Whether `name` is withheld from child environments unless passed explicitly. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export interface ChildEnvOptions {
  /** Names to keep even though they look like secrets. */
  passEnv?: readonly string[];
  /** Variables to set (they win over inherited ones). */
  vars?: Readonly<Record<string, string>>;
}

/** `parent` without secret-looking names (except `passEnv`), then `vars` on top. */
export function childEnvironment(
  parent: NodeJS.ProcessEnv,
  options: ChildEnvOptions = {},
): Record<string, string> {
  const keep = new Set(options.passEnv ?? []);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (isSecretName(name) && !keep.has(name)) continue;
    env[name] = value;
  }
  return Object.assign(env, options.vars);
}
