// Acceptance: openid-client (panva, OpenID-certified) as an independent OAuth client:
// discovery, dynamic registration, PKCE, code exchange (with RFC 9207 iss check), refresh, revocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { browse, INIT, mcpPost, startTestCompanion } from '../helpers/companion.ts';

for (const auth of ['none', 'client_secret_basic', 'client_secret_post'] as const) {
  test(`openid-client (${auth}): discovery, registration, PKCE code flow, refresh, revocation`, async () => {
    const c = await startTestCompanion();
    try {
      const redirect_uri = 'http://127.0.0.1:47123/oidc/cb';
      const clientAuth = auth === 'none' ? oidc.None() : auth === 'client_secret_basic' ? oidc.ClientSecretBasic() : oidc.ClientSecretPost();
      const config = await oidc.dynamicClientRegistration(
        new URL(c.origin),
        { client_name: `openid-client ${auth}`, redirect_uris: [redirect_uri], token_endpoint_auth_method: auth, grant_types: ['authorization_code', 'refresh_token'] },
        clientAuth,
        { algorithm: 'oauth2', execute: [oidc.allowInsecureRequests] },
      );
      const server = config.serverMetadata();
      assert.equal(server.issuer, c.origin);
      assert.deepEqual(server.code_challenge_methods_supported, ['S256']);
      assert.equal(server.authorization_response_iss_parameter_supported, true);
      if (auth !== 'none') assert.ok(config.clientMetadata().client_secret, 'a confidential client gets a secret once');

      const code_verifier = oidc.randomPKCECodeVerifier();
      const code_challenge = await oidc.calculatePKCECodeChallenge(code_verifier);
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri,
        scope: 'openid mcp:read mcp:trade offline_access',
        code_challenge,
        code_challenge_method: 'S256',
        state,
        resource: c.mcpUrl,
      });
      const callback = await browse(url.href, async () => {
        const consent = await c.waitForConsent();
        assert.equal(consent.requestedScope, 'mcp:read mcp:trade', 'unknown scopes are ignored, known ones kept');
        await c.controlJson(`/consents/${consent.id}/approve`, { body: { scope: 'mcp:read', accounts: ['Sim102'] } });
      });
      assert.equal(callback.searchParams.get('iss'), c.origin);
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: code_verifier, expectedState: state }, { resource: c.mcpUrl });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.scope, 'mcp:read', 'the person narrowed the scope at the desktop');
      // The server's own answer. (openid-client's expiresIn() counts down from receipt with
      // Math.floor, so it reads 3599 as soon as a millisecond has passed: not a server property.)
      assert.equal(tokens.expires_in, 3600);
      assert.ok(tokens.expiresIn()! <= 3600 && tokens.expiresIn()! > 3500);
      const init = await mcpPost(c.origin, tokens.access_token, INIT);
      assert.equal(init.status, 200);

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      assert.equal((await mcpPost(c.origin, refreshed.access_token, INIT)).status, 200);

      // RFC 7009: revoking the refresh token kills the grant's access tokens too.
      await oidc.tokenRevocation(config, refreshed.refresh_token!);
      assert.equal((await mcpPost(c.origin, refreshed.access_token, INIT)).status, 401);
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (e: { error?: string }) => e.error === 'invalid_grant');
      // Revoking an unknown token still answers 200.
      await oidc.tokenRevocation(config, 'not-a-token-at-all');
    } finally {
      await c.cleanup();
    }
  });
}

test('openid-client: a denied consent returns access_denied with state and iss', async () => {
  const c = await startTestCompanion();
  try {
    const redirect_uri = 'http://127.0.0.1:47123/cb';
    const config = await oidc.dynamicClientRegistration(new URL(c.origin), { client_name: 'deny me', redirect_uris: [redirect_uri], token_endpoint_auth_method: 'none' }, oidc.None(), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    const code_verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri, code_challenge: await oidc.calculatePKCECodeChallenge(code_verifier), code_challenge_method: 'S256', state });
    const callback = await browse(url.href, async () => {
      const consent = await c.waitForConsent();
      await c.controlJson(`/consents/${consent.id}/deny`, { method: 'POST' });
    });
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('iss'), c.origin);
    await assert.rejects(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: code_verifier, expectedState: state }));
    assert.deepEqual((await c.controlJson<{ clients: unknown[] }>('/clients')).clients, []);
  } finally {
    await c.cleanup();
  }
});

