// URL splitting that keeps every part as written (WHATWG URL drops default ports like :80, which the wire keeps).

export interface UrlParts {
  scheme: string;
  /** userinfo without the trailing "@", or "" */
  userinfo: string;
  /** host name; IPv6 literals without brackets */
  hostname: string;
  port: number | undefined;
  /** path, starting with "/" or empty */
  path: string;
  /** query including "?", or "" */
  query: string;
  /** fragment including "#", or "" */
  fragment: string;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+\-.]*):\/\//;

/** The url itself, or a TypeError when it is not a non-empty string (e.g. a missing option). */
export function requireUrl(url: unknown): string {
  if (typeof url !== "string" || url === "") {
    throw new TypeError(`invalid URL: expected a non-empty string, got ${String(url)}`);
  }
  return url;
}

/** Split `scheme://[userinfo@]host[:port][/path][?query][#fragment]`; throws on anything else. */
export function splitUrl(url: string): UrlParts {
  const scheme = SCHEME.exec(requireUrl(url));
  if (!scheme) throw new TypeError(`invalid URL (no scheme): '${url}'`);
  const rest = url.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const netloc = end < 0 ? rest : rest.slice(0, end);
  const tail = end < 0 ? "" : rest.slice(end);
  const hashAt = tail.indexOf("#");
  const beforeHash = hashAt < 0 ? tail : tail.slice(0, hashAt);
  const fragment = hashAt < 0 ? "" : tail.slice(hashAt);
  const queryAt = beforeHash.indexOf("?");
  const path = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? "" : beforeHash.slice(queryAt);
  const at = netloc.lastIndexOf("@");
  const userinfo = at < 0 ? "" : netloc.slice(0, at);
  const hostport = at < 0 ? netloc : netloc.slice(at + 1);
  let hostname: string;
  let portText: string | undefined;
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close < 0) throw new TypeError(`invalid URL (unclosed IPv6 literal): '${url}'`);
    hostname = hostport.slice(1, close);
    const after = hostport.slice(close + 1);
    if (after.startsWith(":")) portText = after.slice(1);
    else if (after !== "") throw new TypeError(`invalid URL (bad host): '${url}'`);
  } else {
    const colon = hostport.lastIndexOf(":");
    hostname = colon < 0 ? hostport : hostport.slice(0, colon);
    if (colon >= 0) portText = hostport.slice(colon + 1);
  }
  if (hostname === "") throw new TypeError(`invalid URL (no host): '${url}'`);
  let port: number | undefined;
  if (portText !== undefined && portText !== "") {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
      throw new TypeError(`invalid URL (bad port '${portText}'): '${url}'`);
    }
    port = Number(portText);
  }
  return { scheme: scheme[1]!.toLowerCase(), userinfo, hostname, port, path, query, fragment };
}

export function joinUrl(parts: UrlParts): string {
  const host = parts.hostname.includes(":") ? `[${parts.hostname}]` : parts.hostname;
  const userinfo = parts.userinfo ? `${parts.userinfo}@` : "";
  const port = parts.port === undefined ? "" : `:${parts.port}`;
  return `${parts.scheme}://${userinfo}${host}${port}${parts.path}${parts.query}${parts.fragment}`;
}

/** Coerce shorthand `host[:port]` into `scheme://host:port[/path]`, filling the default port when absent. */
export function normalizeUrl(url: string, defaultScheme: string, defaultPort: number | undefined): string {
  const parts = splitUrl(requireUrl(url).includes("://") ? url : `${defaultScheme}://${url}`);
  if (parts.port === undefined && defaultPort !== undefined) parts.port = defaultPort;
  return joinUrl(parts);
}
