// What we do around the SDK's Streamable HTTP transport (SDK 1.32.2, the newest on npm) so that a
// long-running tray app keeps no per-call state.
//
// The transport correlates each JSON-RPC request with the SSE stream that must carry its response
// (`_requestToStreamMapping`, `_streamMapping`, `_requestResponseMap` on the inner
// WebStandardStreamableHTTPServerTransport) and releases those entries only when the response is
// sent. Upstream modelcontextprotocol/typescript-sdk#2559 (open; fixed on `main`, not on the v1.x
// line that ships on npm) is the JSON-response-mode half: `_streamMapping` kept one entry per request
// for the session's life — the issue-9 measurement (19 → 163 MB over 20 000 calls). We answer with
// SSE streams (`enableJsonResponse: false`), where the normal path releases everything; this is
// proven per call by test/mcp/transport-leak.test.ts.
//
// One path still leaks in SSE mode: a request the client cancels (notifications/cancelled). The
// SDK's Protocol then sends no response (as the MCP spec allows), so the transport never releases
// the request's correlation and never ends its HTTP response. `endCancelledRequest` does both. It
// reaches into the SDK's private maps — deliberately, and guarded: if a future SDK renames them,
// the stream is still ended (public `closeSSEStream`) and the leak test fails, pointing here.
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

interface SdkInternals {
  _streamMapping?: Map<string, unknown>;
  _requestToStreamMapping?: Map<RequestId, string>;
  _requestResponseMap?: Map<RequestId, unknown>;
  _standaloneSseStreamId?: string;
}

function internals(t: StreamableHTTPServerTransport): SdkInternals | undefined {
  return (t as unknown as { _webStandardTransport?: SdkInternals })._webStandardTransport;
}

/**
 * Ends the HTTP response of a request that will never get a JSON-RPC response (the client
 * cancelled it, or dropped its stream), and forgets the request. Its stream is closed only when no
 * other request of the same POST (a batch) still waits for its answer on it.
 */
export function endCancelledRequest(t: StreamableHTTPServerTransport, requestId: RequestId): void {
  const inner = internals(t);
  const streamId = inner?._requestToStreamMapping?.get(requestId);
  const othersWaiting =
    streamId !== undefined &&
    [...(inner?._requestToStreamMapping?.entries() ?? [])].some(([id, s]) => s === streamId && id !== requestId && !inner?._requestResponseMap?.has(id));
  if (!othersWaiting) t.closeSSEStream(requestId);
  inner?._requestToStreamMapping?.delete(requestId);
  inner?._requestResponseMap?.delete(requestId);
}

/** Per-request state the transport still holds (the standalone GET stream is not per request). */
export function transportBacklog(t: StreamableHTTPServerTransport): { streams: number; requests: number; responses: number } {
  const inner = internals(t);
  const streams = [...(inner?._streamMapping?.keys() ?? [])].filter((id) => id !== inner?._standaloneSseStreamId).length;
  return { streams, requests: inner?._requestToStreamMapping?.size ?? 0, responses: inner?._requestResponseMap?.size ?? 0 };
}
