// What file tracking skips (dependency and build trees, caches, compiled binaries) and what it redacts (secrets).
import { extname } from "node:path";

/** Directory names never scanned. */
const EXCLUDED_DIRS = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  ".venv",
  "venv",
  "__pycache__",
  ".pytest_cache",
  ".mypy_cache",
  ".ruff_cache",
  ".tox",
  ".nox",
  ".cache",
  ".npm",
  ".pnpm-store",
  ".yarn",
  ".next",
  ".nuxt",
  ".turbo",
  ".parcel-cache",
  ".gradle",
  ".terraform",
  ".eggs",
  ".ipynb_checkpoints",
  "dist",
  "build",
  "target",
]);

/** Compiled or packed artefacts: never tracked (other binaries are tracked by hash, with a placeholder patch). */
const EXCLUDED_EXTENSIONS = new Set([
  ".pyc",
  ".pyo",
  ".o",
  ".obj",
  ".a",
  ".lib",
  ".so",
  ".dylib",
  ".dll",
  ".exe",
  ".class",
  ".jar",
  ".wasm",
  ".pdb",
  ".node",
]);

const EXCLUDED_FILES = new Set([".DS_Store", "Thumbs.db"]);

export function isExcludedDir(name: string): boolean {
  return EXCLUDED_DIRS.has(name) || name.endsWith(".egg-info");
}

export function isExcludedFile(name: string): boolean {
  return EXCLUDED_FILES.has(name) || EXCLUDED_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Directories whose every file is a secret. */
const SECRET_DIRS = new Set([".ssh", ".aws", ".gnupg", ".docker", ".kube", ".azure", "gcloud"]);

const SECRET_NAMES = new Set([
  ".netrc",
  ".npmrc",
  ".pypirc",
  ".pgpass",
  ".git-credentials",
  ".htpasswd",
  ".dockercfg",
  "credentials",
  "credentials.json",
  "secrets.json",
  "secrets.yaml",
  "secrets.yml",
  "secrets.toml",
]);

const SECRET_EXTENSIONS = new Set([".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx", ".gpg"]);

/** Example env files hold placeholders, not secrets. */
const ENV_EXAMPLES = /^\.env\.(example|sample|template|dist)$/;

/** Whether a path (posix, relative) names a secret: its content never leaves the environment. */
export function isSecretPath(path: string): boolean {
  const parts = path.split("/");
  const name = parts[parts.length - 1]!;
  if (parts.slice(0, -1).some((dir) => SECRET_DIRS.has(dir))) return true;
  if (SECRET_NAMES.has(name) || SECRET_EXTENSIONS.has(extname(name).toLowerCase())) return true;
  if ((name === ".env" || name.startsWith(".env.")) && !ENV_EXAMPLES.test(name)) return true;
  if (/^id_[^.]+(\.pub)?$/.test(name)) return true;
  return /_key$/i.test(name) || /_key\.[^.]+$/i.test(name);
}

/** Token formats recognisable on sight (provider keys, cloud access keys); replaced inside patches. */
const TOKEN_PATTERNS = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bhf_[A-Za-z0-9]{30,}\b/g,
];

export const REDACTED = "[REDACTED]";

/**
 * A patch with recognisable secrets replaced: known token formats, and the body of PEM private-key blocks
 * (each line keeps its diff marker so the patch stays well-formed).
 */
export function redactSecrets(patch: string): string {
  let inKey = false;
  let changed = false;
  const lines = patch.split("\n").map((line) => {
    if (line.startsWith("--- ") || line.startsWith("+++ ") || line.startsWith("@@")) return line;
    const body = line.slice(1);
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(body)) {
      inKey = !/-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(body);
      changed = true;
      return `${line[0] ?? ""}${REDACTED}`;
    }
    if (inKey) {
      if (/-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(body)) inKey = false;
      changed = true;
      return `${line[0] ?? ""}${REDACTED}`;
    }
    let out = line;
    for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
    if (out !== line) changed = true;
    return out;
  });
  return changed ? lines.join("\n") : patch;
}
