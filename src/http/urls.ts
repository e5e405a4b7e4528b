// The companion answers under two loopback names, http://127.0.0.1:PORT and http://localhost:PORT.
// Discovery documents speak the name the client used (the SDK client requires the PRM `resource`
// to share the origin of the URL it was given), and tokens work under both names: it is one server.
import type { IncomingMessage } from 'node:http';

export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'] as const;
export const MCP_PATH = '/mcp';

export class Urls {
  readonly origins: string[];
  constructor(readonly port: number) {
    this.origins = LOOPBACK_NAMES.map((h) => `http://${h}:${port}`);
  }
  /** The canonical origin printed to the user. */
  get primary(): string {
    return this.origins[0]!;
  }
  allowedHosts(): string[] {
    return LOOPBACK_NAMES.map((h) => `${h}:${this.port}`);
  }
  /** Origin of a request whose Host header the guard already validated. */
  originOf(req: IncomingMessage): string {
    const host = (req.headers.host ?? '').toLowerCase();
    return this.allowedHosts().includes(host) ? `http://${host}` : this.primary;
  }
  issuer(origin: string): string {
    return origin;
  }
  resource(origin: string): string {
    return `${origin}${MCP_PATH}`;
  }
  prm(origin: string): string {
    return `${origin}/.well-known/oauth-protected-resource${MCP_PATH}`;
  }
  /** RFC 8707: a resource indicator naming this MCP server under either loopback name. */
  isOwnResource(resource: string): boolean {
    const r = resource.endsWith('/') ? resource.slice(0, -1) : resource;
    return this.origins.some((o) => r === `${o}${MCP_PATH}`);
  }
  get mcpUrl(): string {
    return this.resource(this.primary);
  }
}
