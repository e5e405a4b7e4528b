// Acceptance: a companion started as users start it (`node src/main.ts`, its own process) trusts a
// test CA only through NODE_EXTRA_CA_CERTS, read at process start; the SDK client, given a
// clientMetadataUrl, uses it as its client_id (no registration) and completes OAuth → tools/list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PendingConsent } from '../../src/control/contract.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { controlOfProcess } from '../helpers/companion.ts';
import { json, makeTestPki, startDocServer } from '../helpers/tls.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

class MetadataDocumentProvider extends HeadlessProvider {
  constructor(
    readonly clientMetadataUrl: string,
    redirect: string,
  ) {
    super(redirect, 'unused: no registration');
  }
}

test('NODE_EXTRA_CA_CERTS: the SDK client with a Client ID Metadata Document completes OAuth against a companion process', async () => {
  const pki = makeTestPki();
  const docs = await startDocServer(pki);
  const dataDir = mkdtempSync(join(tmpdir(), 'ntmcp-cimd-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--data-dir', dataDir, '--quiet'], {
    cwd: ROOT,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caFile, NT_MCP_CIMD_ALLOW_LOOPBACK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    // The companion writes runtime.json once it serves; its first stdout line is the MCP URL.
    const mcpUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve(line.trim());
      });
      void exited.then((code) => reject(new Error(`companion exited (${code}): ${stderr}`)));
    });
    assert.ok(existsSync(join(dataDir, 'runtime.json')));
    const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { mcpUrl: string; controlUrl: string };
    assert.equal(runtime.mcpUrl, mcpUrl);
    const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
    const control = controlOfProcess(runtime.controlUrl, token);

    const clientId = `${docs.origin}/mcp-client/metadata.json`;
    const redirect = 'http://127.0.0.1:45999/oauth/callback';
    docs.routes.set(
      '/mcp-client/metadata.json',
      json({ client_id: clientId, client_name: 'CIMD Host', redirect_uris: [redirect], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }, { 'Cache-Control': 'max-age=300' }),
    );
    const provider = new MetadataDocumentProvider(clientId, redirect);
    let consent: PendingConsent | undefined;
    const conn = await connectWithOAuth(
      mcpUrl,
      async (id) => {
        consent = (await control<{ consents: PendingConsent[] }>('/consents')).consents.find((x) => x.id === id);
        await control(`/consents/${id}/approve`, { accounts: ['Sim101'] });
      },
      provider,
    );
    assert.equal(provider.info?.client_id, clientId, 'the SDK used the URL as its client_id (no registration)');
    assert.equal(consent?.verifiedHost, `localhost:${docs.port}`);
    assert.equal(consent?.clientName, 'CIMD Host');
    assert.equal(docs.hits.get('/mcp-client/metadata.json'), 1, 'fetched once, then from the cache');
    const { tools } = await conn.client.listTools();
    assert.ok(tools.some((t) => t.name === 'get_status'));
    await conn.close();
  } finally {
    child.kill('SIGTERM');
    await exited;
    await docs.close();
    pki.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
