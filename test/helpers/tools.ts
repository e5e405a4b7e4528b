// Calling MCP tools through the SDK client, as an AI client would.
import type { ConnectedClient } from './sdk-client.ts';

export async function call(conn: ConnectedClient, name: string, args: Record<string, unknown> = {}) {
  const r = await conn.client.callTool({ name, arguments: args });
  return {
    isError: r.isError === true,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    s: r.structuredContent as Record<string, any>,
    text: (r.content as { text: string }[])[0]?.text ?? '',
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
