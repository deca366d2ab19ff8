// What an image serves, recorded by `hud build` as a label: the environment's name, version and templates — so
// `hud` can list an image's tasks without starting it.
import { HudError } from "../../protocol/errors.ts";
import type { ManifestEntry } from "../../protocol/methods.ts";
import { type EngineClient, EngineError } from "./engine-client.ts";

export const MANIFEST_LABEL = "hud.manifest";

export interface ImageManifest {
  name: string;
  version?: string;
  templates: ManifestEntry[];
}

/** The manifest label of `image`; a clear line when the image is missing or was not built by `hud build`. */
export async function imageManifest(engine: EngineClient, image: string): Promise<ImageManifest> {
  let info: { Config?: { Labels?: Record<string, string> | null } };
  try {
    info = await engine.call({ path: `/images/${encodeURIComponent(image)}/json` });
  } catch (error) {
    if (error instanceof EngineError && error.status === 404) {
      throw new HudError(`image '${image}' not found: build it with \`hud build -t ${image}\``);
    }
    throw error;
  }
  const text = info.Config?.Labels?.[MANIFEST_LABEL];
  if (text === undefined) {
    throw new HudError(
      `image '${image}' has no ${MANIFEST_LABEL} label: build it with \`hud build\` to record what it serves`,
    );
  }
  try {
    return JSON.parse(text) as ImageManifest;
  } catch {
    throw new HudError(`image '${image}': its ${MANIFEST_LABEL} label is not JSON`);
  }
}
