// What a `hud init` template is: data — the files of a new project, and the packages its code imports.

export interface ScaffoldFile {
  /** Relative to the project directory, with `/` separators. */
  path: string;
  text: string;
}

/** What a template's files are made from. */
export interface ProjectFacts {
  /** The project's name: its directory, package name, environment name and image name. */
  name: string;
  /** The version of the hud creating the project (package.json asks for `^<version>`). */
  hudVersion: string;
  /** hud's own dependency ranges, for the packages a template imports directly. */
  hudDependencies: Record<string, string>;
}

export interface ProjectTemplate {
  /** One line for `hud init --help`. */
  summary: string;
  /**
   * Packages the template's code imports besides `hud` — all dependencies of hud itself, so they are linked from
   * hud's own installation (offline) and listed in package.json.
   */
  imports: string[];
  files(facts: ProjectFacts): ScaffoldFile[];
}
