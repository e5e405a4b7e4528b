// Calling MCP tools through the SDK client, as an AI client would: tools listed first (so the SDK
// validates every result against the tool's outputSchema, as hosts do), errors read the way a
// host shows them to the model.
import assert from 'node:assert/strict';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ERROR_META_KEY } from '../../src/mcp/registry.ts';
import type { ConnectedClient } from './sdk-client.ts';

const listed = new WeakSet<object>();

export async function call(conn: ConnectedClient, name: string, args: Record<string, unknown> = {}, options?: RequestOptions) {
  if (!listed.has(conn.client)) {
    await conn.client.listTools();
    listed.add(conn.client);
  }
  const r = await conn.client.callTool({ name, arguments: args }, undefined, options);
  const text = (r.content as { type: string; text: string }[]).find((c) => c.type === 'text')?.text ?? '';
  const meta = (r._meta as Record<string, { code?: string } & Record<string, unknown>> | undefined)?.[ERROR_META_KEY];
  if (r.isError) {
    // The error shape every host can read (docs/tools.md): "[code] sentence", the code again in _meta.
    assert.equal(r.structuredContent, undefined, `${name}: an error carries no structuredContent`);
    assert.ok(meta?.code, `${name}: an error carries its code in _meta["${ERROR_META_KEY}"]`);
    assert.ok(text.startsWith(`[${meta.code}] `), `${name}: the text starts with the code: ${text}`);
  }
  return {
    isError: r.isError === true,
    /** The stable code of an error, else undefined. */
    code: r.isError ? meta!.code : undefined,
    /** The facts an error carries (allowed accounts, clientOrderId, …). */
    meta,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    s: r.structuredContent as Record<string, any>,
    text,
  };
}

export async function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out: ${what}`);
}
