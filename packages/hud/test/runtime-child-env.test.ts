// Which variables a spawned environment inherits: credentials are withheld unless passed explicitly.
import { describe, expect, it } from "vitest";
import { childEnvironment } from "../src/environment/processes/child-env.ts";

describe("childEnvironment", () => {
  it("drops API keys, tokens, secrets and passwords; keeps the rest; passEnv and vars win", () => {
    const parent = {
      PATH: "/usr/bin",
      HOME: "/root",
      TOKENIZERS_PARALLELISM: "false",
      HUD_API_KEY: "h",
      ANTHROPIC_API_KEY: "a",
      OPENAI_API_KEY: "o",
      GEMINI_API_KEY: "g",
      GOOGLE_API_KEY: "gg",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_SESSION_TOKEN: "t",
      GITHUB_TOKEN: "gh",
      CLIENT_SECRETS_FILE: "f",
      DB_PASSWORD: "p",
      openai_api_key: "lower",
    };
    const env = childEnvironment(parent, { passEnv: ["GITHUB_TOKEN"], vars: { EXTRA: "1", HOME: "/work" } });
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/work",
      TOKENIZERS_PARALLELISM: "false",
      GITHUB_TOKEN: "gh",
      EXTRA: "1",
    });
  });
});
