/**
 * Header policy at the client edge: nothing a client sends reaches a subgraph unless allow-listed, and
 * hop-by-hop or identity headers never do, even when someone lists them.
 */

// RFC 9110 §7.6.1 (Connection and the hop-by-hop fields), plus framing headers the transport sets itself.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'content-type', 'accept-encoding', 'expect'];
// Who the caller is, or claims to be: the gateway speaks for the user through the signed assertion only.
const IDENTITY = ['authorization', 'cookie', 'set-cookie', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'x-user-id', 'x-api-key'];
const RESERVED_PREFIX = 'x-consentgate-';

/** Headers that may never be forwarded, whatever the allow-list says. */
export const NEVER_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, ...IDENTITY]);

/** Checks an allow-list at start-up; returns it lower-cased. Throws naming the header that may not be listed. */
export function resolveHeaderAllowList(list: readonly string[] = []): string[] {
  return list.map((raw) => {
    const name = raw.trim().toLowerCase();
    if (NEVER_FORWARDED.has(name) || name.startsWith(RESERVED_PREFIX)) {
      throw new Error(`forwardHeaders may not list '${raw}': hop-by-hop, identity and x-consentgate-* headers are never forwarded to subgraphs`);
    }
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new Error(`forwardHeaders: '${raw}' is not an HTTP header name (RFC 9110 §5.1)`);
    return name;
  });
}

/** The allow-listed headers of one client request (first value of repeated ones). */
export function pickForwardedHeaders(headers: Readonly<Record<string, string | string[] | undefined>>, allowList: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of allowList) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') picked[name] = first;
  }
  return picked;
}

// A symbol-keyed property, not a WeakMap: Apollo Server shallow-copies the context per operation, which
// keeps own enumerable properties (symbols included) but not object identity.
const FORWARDED = Symbol('consentgate.forwardedHeaders');

/** Attaches the allow-listed client headers to a request context; the subgraph executor reads them back. */
export function setForwardedHeaders(context: object, headers: Record<string, string>): void {
  (context as { [FORWARDED]?: Record<string, string> })[FORWARDED] = headers;
}

/** The allow-listed client headers attached to this context ({} when none). */
export function getForwardedHeaders(context: object | undefined): Record<string, string> {
  return (context as { [FORWARDED]?: Record<string, string> } | undefined)?.[FORWARDED] ?? {};
}
