// The MCP tool contract: every tool declares its scope, zod input/output schemas and MCP
// annotations. The endpoint lists only what the caller's scope allows and validates arguments
// here, at the door, before a handler runs.
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Scope } from '../control/contract.ts';
import type { GrantRecord } from '../oauth/service.ts';

export interface ToolContext {
  grant: GrantRecord;
  /** Aborted when the client cancels (MCP notifications/cancelled, or its own timeout) or the session closes. */
  signal: AbortSignal;
  /**
   * Tells the client the call is still alive (MCP notifications/progress). A no-op unless the
   * request carried `_meta.progressToken`. `progress` must grow with every call.
   */
  progress: (p: { progress: number; total?: number; message: string }) => void;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDef<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  scope: Scope;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /** Its structured output must match `output`; MCP clients validate it against the listed schema. */
  handler: (args: z.infer<I>, ctx: ToolContext) => Promise<ToolOutput<object>>;
}

export interface ToolOutput<T> {
  /** Short human summary shown as text content. */
  text: string;
  structured: T;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDef<I, O>): ToolDef {
  return def as unknown as ToolDef;
}

/** The `_meta` key of a tool error's machine-readable part (MCP reserves un-prefixed names). */
export const ERROR_META_KEY = 'nt-mcp-companion/error';

/**
 * A tool error as every host can read it (MCP spec: a tool execution error is a result with
 * `isError: true` and the sentence in `content`). The stable code leads the text — "[code] sentence"
 * — because the text is what the model reads; it is repeated with its facts under `_meta`.
 * No `structuredContent`: hosts (the SDK client among them) validate structured content against
 * the tool's outputSchema, which describes success, and would throw -32602 instead of showing it.
 */
export function toolErrorResult(code: string, message: string, data: Record<string, unknown> = {}): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `[${code}] ${message}` }],
    _meta: { [ERROR_META_KEY]: { ...data, code } },
  };
}

/** "Invalid arguments: "quantity" must be a whole number; unknown argument "bogus"." */
export function describeZodError(e: z.ZodError): string {
  const parts = e.issues.slice(0, 5).map((i) => {
    if (i.code === 'unrecognized_keys' && i.path.length === 0) return `unknown argument${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${i.path.length ? `"${i.path.join('.')}"` : 'the arguments'} ${describeIssue(i)}`;
  });
  return `Invalid arguments: ${parts.join('; ')}.`;
}

/** One zod issue as words a model or a trader reads at once ("must be a whole number"), not zod's notation. */
function describeIssue(i: z.core.$ZodIssue): string {
  const received = /received (\w+)$/.exec(i.message)?.[1];
  switch (i.code) {
    case 'invalid_type':
      if (received === 'undefined') return `is required (${i.expected})`;
      if (i.expected === 'int') return 'must be a whole number';
      return `must be a ${i.expected}${received ? `, not a ${received}` : ''}`;
    case 'too_small': {
      const n = Number(i.minimum);
      if (i.origin === 'string') return n <= 1 ? 'must not be empty' : `must be at least ${n} characters`;
      if (i.origin === 'array') return `must have at least ${n} item${n === 1 ? '' : 's'}`;
      return n === 0 && !i.inclusive ? 'must be greater than 0' : `must be ${i.inclusive ? 'at least' : 'greater than'} ${n}`;
    }
    case 'too_big': {
      const n = Number(i.maximum);
      if (i.origin === 'string') return `must be at most ${n} characters`;
      if (i.origin === 'array') return `must have at most ${n} items`;
      return `must be ${i.inclusive ? 'at most' : 'less than'} ${n}`;
    }
    case 'invalid_value':
      return `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown argument${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_format':
      // Our own regex messages are written as advice ("use 1-64 letters, digits, _ . : -").
      return /^Invalid/.test(i.message) ? `is not a valid ${i.format}` : `: ${i.message}`.replace(/^: /, 'is not valid: ');
    default:
      return `: ${i.message}`.replace(/^: /, 'is not valid: ');
  }
}

interface ListedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
}

export class ToolRegistry {
  private readonly tools = new Map<string, ToolDef>();
  private listed: { read: ListedTool[]; trade: ListedTool[] } | null = null;

  add(...defs: ToolDef[]): this {
    for (const d of defs) {
      if (this.tools.has(d.name)) throw new Error(`duplicate tool ${d.name}`);
      this.tools.set(d.name, d);
    }
    this.listed = null;
    return this;
  }

  get(name: string): ToolDef | undefined {
    return this.tools.get(name);
  }

  scopeOf(name: string): Scope | undefined {
    return this.tools.get(name)?.scope;
  }

  /** tools/list for a scope; JSON Schemas are computed once. A read token never sees trade tools. */
  list(canTrade: boolean): ListedTool[] {
    if (!this.listed) {
      const all = [...this.tools.values()].map((d) => ({
        def: d,
        listed: {
          name: d.name,
          title: d.title,
          description: d.description,
          inputSchema: portable(z.toJSONSchema(d.input, { io: 'input', target: 'draft-2020-12' })) as Record<string, unknown>,
          outputSchema: portable(z.toJSONSchema(d.output, { io: 'output', target: 'draft-2020-12' })) as Record<string, unknown>,
          annotations: { title: d.title, ...d.annotations },
        },
      }));
      this.listed = {
        read: all.filter((t) => t.def.scope === 'mcp:read').map((t) => t.listed),
        trade: all.map((t) => t.listed),
      };
    }
    return canTrade ? this.listed.trade : this.listed.read;
  }
}

const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$schema']);

/**
 * Spells a JSON Schema the way the most hosts accept (the MCP Inspector's --strict portability
 * check): a nullable `type: ["number", "null"]` becomes `anyOf` of single-type branches (hosts
 * that map schemas onto a single-type dialect reject type arrays), and a loose object's
 * `additionalProperties: {}` becomes `true`. Same contract, other spelling.
 */
export function portable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portable);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = portable(v);
  if (out.additionalProperties && typeof out.additionalProperties === 'object' && Object.keys(out.additionalProperties).length === 0) {
    out.additionalProperties = true;
  }
  if (Array.isArray(out.type)) {
    const kept: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(out)) if (k !== 'type') (ANNOTATIONS.has(k) ? kept : rest)[k] = v;
    return { ...kept, anyOf: (out.type as string[]).map((t) => (t === 'null' ? { type: 'null' } : { type: t, ...rest })) };
  }
  return out;
}
