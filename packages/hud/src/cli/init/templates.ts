// The `hud init` templates by name (`--template`); blank is the default.
import { blank } from "./blank.ts";
import { coding } from "./coding.ts";
import { mcp } from "./mcp.ts";
import type { ProjectTemplate } from "./project-template.ts";

export const TEMPLATES: Record<string, ProjectTemplate> = { blank, coding, mcp };

export const DEFAULT_TEMPLATE = "blank";
