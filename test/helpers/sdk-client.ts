// The MCP SDK's own client and OAuth machinery, driven headless: redirectToAuthorization hands the
// URL to the test's "browser" instead of opening one.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { browse } from './companion.ts';

export class HeadlessProvider implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  constructor(
    readonly redirect = 'http://localhost:8765/callback',
    readonly name = 'SDK Test Client',
    readonly scope?: string,
  ) {}
  get redirectUrl() {
    return this.redirect;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [this.redirect],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...(this.scope ? { scope: this.scope } : {}),
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(i: OAuthClientInformationMixed) {
    this.info = i;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(t: OAuthTokens) {
    this.saved = t;
  }
  /** As mcp-remote and the Inspector do: the SDK calls this after invalid_grant / invalid_client. */
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.info = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = '';
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

export interface ConnectedClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  provider: HeadlessProvider;
  close(): Promise<void>;
}

/**
 * Connects the SDK client: first attempt gets 401 → discovery → registration → authorization URL;
 * the "browser" follows it while `decide` approves in the desktop; then finishAuth and reconnect.
 */
export async function connectWithOAuth(
  mcpUrl: string,
  decide: (consentId: string) => Promise<void>,
  provider = new HeadlessProvider(),
  /** The fetch the connected client uses (tests that watch its raw HTTP exchanges). */
  fetchFn?: typeof fetch,
): Promise<ConnectedClient> {
  const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  const client = new Client({ name: 'sdk-test', version: '1.0.0' });
  try {
    await client.connect(first);
    throw new Error('expected the first connect to need authorization');
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  if (!provider.authorizationUrl) throw new Error('the SDK never produced an authorization URL');
  const back = await browse(provider.authorizationUrl.href, decide);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`authorization failed: ${back.href}`);
  await first.finishAuth(code);
  await first.close().catch(() => {});
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, ...(fetchFn ? { fetch: fetchFn } : {}) });
  const c2 = new Client({ name: 'sdk-test', version: '1.0.0' });
  await c2.connect(transport);
  // As every host does: list the tools first. The SDK client then validates each result against
  // the tool's outputSchema, so a result that does not match fails here as it would in a host.
  await c2.listTools();
  return { client: c2, transport, provider, close: () => c2.close() };
}
