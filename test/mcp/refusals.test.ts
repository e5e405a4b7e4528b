// Every tool, every refusal it can give, seen as a host sees it: the MCP SDK client, authorized
// through real OAuth, lists the tools first (so it validates every result against the tool's
// outputSchema) and then calls. Each refusal must arrive as a tool error — isError, "[code]
// sentence", the code under _meta — never as a thrown -32602; and each call writes exactly one
// tool.call audit row whose outcome is the code's outcome in the one taxonomy. Every tool also
// succeeds once, so every success is validated against its schema too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approveNext, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';
import type { ApproveConsentBody, AuditOutcome, AuditPage, AuditRow } from '../../src/control/contract.ts';
import { REFUSAL_CODES } from '../../src/trading/refusal.ts';

interface Conn extends ConnectedClient {
  clientId: string;
}

/** Codes this walk cannot produce through a host, and where they are covered or why not. */
const NOT_WALKED: Record<string, string> = {
  unknown_account: 'needs NinjaTrader to stop reporting a granted account; the simulator always reports both',
  insufficient_scope: 'a read token is answered with HTTP 403 before any tool runs (test/oauth)',
  internal_error: 'a companion bug; no input reaches it',
  cancelled_by_client: 'the client asked not to hear back; test/trading/confirm-wait.test.ts checks the audit',
  confirmation_not_found: 'a control API answer (404), not a tool error',
  market_closed: 'this companion trades around the clock; test/trading/roll.test.ts walks it on a pinned weekend',
  addon_error: 'a get_bars failure other than timeout or disconnect; the simulator has none',
  addon_outdated: 'needs a protocol 1.0 add-on (the simulator speaks 1.1); test/ninjatrader/nt8-fidelity.test.ts walks it',
  unknown_side: 'needs NinjaTrader to send an action or side this companion does not know; test/trading/unknown-side.test.ts walks it',
  account_data_incomplete: 'needs NinjaTrader to send an order or position the companion cannot read; test/trading/unknown-side.test.ts walks it',
  risk_daily_loss: 'needs risk rules set at the desktop and a scripted loss; test/trading/risk-rules.test.ts walks it through the SDK client',
  risk_trailing_drawdown: 'needs risk rules and a scripted drawdown; test/trading/risk-rules.test.ts walks it',
  risk_max_contracts: 'needs risk rules set at the desktop; test/trading/risk-rules.test.ts walks it',
  risk_outside_hours: 'needs risk rules with a trading-hours window and a pinned clock; test/trading/risk-rules.test.ts walks it',
  account_locked: 'needs a flatten_and_lock breach; test/trading/risk-rules.test.ts walks it',
};

test('every tool, every refusal: isError, a sentence, a stable code, one audit row with its outcome — through the SDK client after tools/list', async () => {
  const c = await startTestCompanion({ trading: { confirmationTimeoutMs: 1500, addonTimeoutMs: 300 } });
  const covered = new Map<string, Set<string>>(); // tool → codes seen
  const succeeded = new Set<string>();
  const conns: Conn[] = [];
  try {
    c.simulator!.setQuote('ES', 6000);
    const connect = async (name: string, approve: ApproveConsentBody): Promise<Conn> => {
      const conn = await connectWithOAuth(
        c.mcpUrl,
        (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], ...approve }, id).then(() => {}),
        new HeadlessProvider('http://127.0.0.1:9000/cb', name),
      );
      const out = Object.assign(conn, { clientId: conn.provider.info!.client_id });
      conns.push(out);
      return out;
    };
    const a = await connect('Walker', { confirmPolicy: 'never', limits: { maxOrderQuantity: 3, maxPositionPerInstrument: 4, maxOrdersPerMinute: 100 } });

    const lastAuditId = async () => (await c.controlJson<AuditPage>('/audit?limit=1')).rows[0]?.id ?? 0;
    const rowsSince = async (id: number, clientId: string): Promise<AuditRow[]> =>
      (await c.controlJson<AuditPage>(`/audit?client=${clientId}&limit=50`)).rows.filter((r) => r.id > id);

    const ok = async (conn: Conn, tool: string, args: Record<string, unknown> = {}) => {
      const r = await call(conn, tool, args);
      assert.equal(r.isError, false, `${tool} should succeed: ${r.text}`);
      assert.ok(r.s && typeof r.s === 'object', `${tool}: structuredContent`);
      succeeded.add(tool);
      return r;
    };

    /** One refusal: the host-visible shape, then the audit. */
    const refused = async (
      conn: Conn,
      tool: string,
      args: Record<string, unknown>,
      code: string,
      opts: { text?: RegExp; outcome?: AuditOutcome; pending?: (r: Promise<Awaited<ReturnType<typeof call>>>) => Promise<void>; nestedCalls?: number } = {},
    ) => {
      const before = await lastAuditId();
      const p = call(conn, tool, args);
      if (opts.pending) await opts.pending(p);
      const r = await p;
      assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)} should be refused with ${code}, got: ${r.text}`);
      assert.equal(r.code, code, `${tool}: ${r.text}`);
      const sentence = r.text.slice(code.length + 3);
      assert.match(sentence, /^["A-Z]/, `${tool}/${code}: a sentence starts with a capital: ${sentence}`);
      assert.match(sentence, /[.)]$/, `${tool}/${code}: a sentence ends with a stop: ${sentence}`);
      assert.ok(sentence.length >= 20 && !/undefined|\[object/.test(sentence), `${tool}/${code}: readable: ${sentence}`);
      if (opts.text) assert.match(r.text, opts.text);

      const rows = await rowsSince(before, conn.clientId);
      const calls = rows.filter((x) => x.event === 'tool.call');
      // Exactly one row for this call (plus those of calls made while it waited); rows come newest first.
      assert.equal(calls.length, 1 + (opts.nestedCalls ?? 0), `${tool}/${code}: one tool.call row, got ${rows.map((x) => `${x.event}/${x.outcome}`).join(', ')}`);
      const expected = opts.outcome ?? (REFUSAL_CODES as Record<string, AuditOutcome>)[code] ?? 'error';
      assert.equal(calls[0]!.outcome, expected, `${tool}/${code}: audit outcome`);
      assert.equal(calls[0]!.tool, tool);
      assert.ok(calls[0]!.detail!.startsWith(`${code}: `), `${tool}/${code}: audit detail names the code: ${calls[0]!.detail}`);
      // Nothing else speaks for this call: only what happened inside a trade may add rows.
      for (const x of rows) assert.ok(['tool.call', 'trade.confirmation', 'trade.submit', 'trade.result'].includes(x.event), `${tool}/${code}: unexpected audit row ${x.event}`);
      covered.set(tool, (covered.get(tool) ?? new Set()).add(code));
      return r;
    };

    // ── every tool succeeds once (the SDK validates each result against its outputSchema) ──
    await ok(a, 'get_status');
    await ok(a, 'list_accounts');
    await ok(a, 'get_account_summary', { account: 'Sim101' });
    const none = await ok(a, 'list_orders', { status: 'all' });
    assert.match(none.text, /^No orders yet \(working, filled, cancelled or rejected\)\./, 'not "No all orders."');
    assert.match((await ok(a, 'list_orders', {})).text, /^No working orders\./);
    await ok(a, 'get_quote', { instrument: 'ES' });
    await ok(a, 'get_bars', { instrument: 'ES', count: 5 });
    await ok(a, 'preview_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1 });
    await ok(a, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1 });
    await until(async () => (await call(a, 'list_positions', {})).s.positions.length === 1, 'a position');
    await ok(a, 'list_positions', {});
    await ok(a, 'list_executions', {});
    await ok(a, 'reverse_position', { account: 'Sim101', instrument: 'ES' });
    await ok(a, 'flatten_position', { account: 'Sim101', instrument: 'ES' });
    await until(async () => (await call(a, 'list_positions', {})).s.positions.length === 0, 'flat');
    await ok(a, 'flatten_everything');
    await ok(a, 'get_journal', {});
    await ok(a, 'get_watermarks', {});
    await ok(a, 'get_activity_log', {});
    await ok(a, 'list_atm_templates', {});
    const placed = await ok(a, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 5990, clientOrderId: 'w-1' });
    const orderId: string = placed.s.orders[0].orderId;
    await ok(a, 'get_order', { account: 'Sim101', clientOrderId: 'w-1' });
    await ok(a, 'modify_order', { account: 'Sim101', orderId, quantity: 2 });
    const replaced = await ok(a, 'cancel_replace', { account: 'Sim101', orderId, instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'LIMIT', limitPrice: 5985, clientOrderId: 'w-2' });
    const replacementId: string = replaced.s.orders[0].orderId;
    await ok(a, 'cancel_order', { account: 'Sim101', orderId: replacementId });
    await ok(a, 'cancel_all_orders', { account: 'Sim101' });

    const { tools } = await a.client.listTools();
    assert.equal(tools.length, 22);
    // Portable schemas (the MCP Inspector's --strict check): no type arrays, no `additionalProperties: {}`.
    const text = JSON.stringify(tools.map((t) => [t.inputSchema, t.outputSchema]));
    assert.doesNotMatch(text, /"type":\[/);
    assert.doesNotMatch(text, /"additionalProperties":\{\}/);
    assert.deepEqual([...succeeded].sort(), tools.map((t) => t.name).sort(), 'every tool succeeded once');

    // ── invalid_arguments: every tool checks its arguments at the door ──
    for (const t of tools) await refused(a, t.name, { bogus: 1 }, 'invalid_arguments', { text: /Invalid arguments/ });

    // ── account_not_allowed: every tool that takes an account ──
    const other = { account: 'Sim102' };
    const es = { instrument: 'ES' };
    const byAccount: [string, Record<string, unknown>][] = [
      ['get_account_summary', other],
      ['list_positions', other],
      ['list_orders', other],
      ['get_order', { ...other, orderId: 'x' }],
      ['list_executions', other],
      ['get_watermarks', other],
      ['get_journal', other],
      ['place_order', { ...other, ...es, action: 'BUY', quantity: 1 }],
      ['modify_order', { ...other, orderId: 'x', quantity: 1 }],
      ['cancel_order', { ...other, orderId: 'x' }],
      ['cancel_replace', { ...other, orderId: 'x', ...es, action: 'BUY', quantity: 1 }],
      ['cancel_all_orders', other],
      ['flatten_position', other],
      ['reverse_position', { ...other, ...es }],
    ];
    for (const [tool, args] of byAccount) {
      const r = await refused(a, tool, args, 'account_not_allowed', { text: /Account "Sim102" is not available to this client\. Allowed account: Sim101\./ });
      assert.deepEqual(r.meta!.allowedAccounts, ['Sim101']);
    }

    // ── unknown_instrument: every tool that takes an instrument ──
    const zz = { instrument: 'ZZ' };
    for (const [tool, args] of [
      ['get_quote', zz],
      ['get_bars', zz],
      ['get_journal', zz],
      ['place_order', { account: 'Sim101', ...zz, action: 'BUY', quantity: 1 }],
      ['cancel_all_orders', { account: 'Sim101', ...zz }],
      ['flatten_position', { account: 'Sim101', ...zz }],
      ['reverse_position', { account: 'Sim101', ...zz }],
    ] as [string, Record<string, unknown>][]) {
      await refused(a, tool, args, 'unknown_instrument', { text: /Unknown instrument "ZZ"/ });
    }

    // ── read tools' own ──
    await refused(a, 'get_order', { account: 'Sim101' }, 'invalid_arguments', { text: /Give orderId or clientOrderId/ });
    await refused(a, 'get_order', { account: 'Sim101', orderId: 'nope' }, 'unknown_order', { text: /No order "nope" on Sim101/ });
    const quoted = (await call(a, 'get_quote', es)).s.quote.instrument as string;
    const [, mm, yy] = /^ES (\d\d)-(\d\d)$/.exec(quoted)!;
    const later = `ES ${String(((Number(mm) + 2) % 12) + 1).padStart(2, '0')}-${Number(mm) >= 10 ? Number(yy) + 1 : yy}`; // the next quarterly month
    await refused(a, 'get_quote', { instrument: later }, 'no_market_data', { text: /No market data for ES/ });

    // ── place_order's argument rules ──
    const buy = (extra: Record<string, unknown> = {}) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, ...extra });
    await refused(a, 'place_order', buy({ quantity: 1.5 }), 'invalid_arguments', { text: /\] Invalid arguments: "quantity" must be a whole number\.$/ });
    await refused(a, 'place_order', buy({ quantity: 0 }), 'invalid_arguments', { text: /"quantity" must be greater than 0\./ });
    await refused(a, 'place_order', buy({ action: 'HOLD' }), 'invalid_arguments', { text: /"action" must be one of "BUY", "SELL"/ });
    await refused(a, 'place_order', buy({ orderType: 'LIMIT' }), 'invalid_arguments', { text: /needs limitPrice/ });
    await refused(a, 'place_order', buy({ orderType: 'MARKET', limitPrice: 5990 }), 'invalid_arguments', { text: /A MARKET order takes no limitPrice\./ });
    await refused(a, 'place_order', buy({ orderType: 'STOPMARKET' }), 'invalid_arguments', { text: /needs stopPrice/ });
    await refused(a, 'place_order', buy({ orderType: 'LIMIT', limitPrice: 5990.1 }), 'invalid_arguments', { text: /not on the ES tick size 0\.25/ });
    await refused(a, 'place_order', buy({ requireMarketPosition: 'LONG' }), 'position_mismatch', { text: /requireMarketPosition is Long, but Sim101 is flat in ES/ });

    // ── limits ──
    await refused(a, 'place_order', buy({ quantity: 4 }), 'limit_max_order_quantity', { text: /quantity 4 exceeds this client's maximum of 3 per order/ });
    await refused(a, 'modify_order', { account: 'Sim101', orderId: 'x', quantity: 4 }, 'limit_max_order_quantity');
    await ok(a, 'place_order', buy({ quantity: 3 }));
    await until(async () => (await call(a, 'list_positions', {})).s.positions[0]?.quantity === 3, 'long 3');
    await refused(a, 'place_order', buy({ quantity: 2 }), 'limit_max_position', { text: /from 3 to 5 \(position 3, .*\); this client's maximum is 4 contracts/ });
    await ok(a, 'flatten_everything');
    const burst = await connect('Burst', { confirmPolicy: 'never', limits: { maxOrdersPerMinute: 1 } });
    await ok(burst, 'place_order', buy({ orderType: 'LIMIT', limitPrice: 5900 }));
    await refused(burst, 'place_order', buy({ orderType: 'LIMIT', limitPrice: 5900 }), 'limit_orders_per_minute', { text: /already sent 1 orders in the last minute/ });

    // ── cancel_replace: only this client's own working order ──
    const burstOrder = (await call(a, 'list_orders', {})).s.orders.find((o: { name: string }) => o.name === 'another MCP client')!.orderId as string;
    await refused(a, 'cancel_replace', { orderId: burstOrder, ...buy({ orderType: 'LIMIT', limitPrice: 5905 }) }, 'order_not_yours', { text: /was not placed by this client/ });
    await refused(a, 'cancel_replace', { orderId: replacementId, ...buy({ orderType: 'LIMIT', limitPrice: 5905 }) }, 'replace_not_done', { text: /already Cancelled.*NOT placed/ });

    // ── NinjaTrader says no; a retry with the same clientOrderId replays the first answer ──
    await refused(a, 'place_order', buy({ orderType: 'STOPMARKET', stopPrice: 5990, clientOrderId: 'rej-1' }), 'invalid_order', { text: /NinjaTrader rejected it: .*below the market/ });
    const replay = await refused(a, 'place_order', buy({ orderType: 'STOPMARKET', stopPrice: 5990, clientOrderId: 'rej-1' }), 'invalid_order', { outcome: 'refused', text: /already used; nothing new was placed/ });
    assert.equal(replay.meta!.duplicate, true);
    await refused(a, 'modify_order', { account: 'Sim101', orderId: 'nope', quantity: 1 }, 'unknown_order', { text: /NinjaTrader rejected it/ });
    await refused(a, 'cancel_order', { account: 'Sim101', orderId: 'nope' }, 'unknown_order', { text: /NinjaTrader rejected it/ });
    await refused(a, 'reverse_position', { account: 'Sim101', instrument: 'ES' }, 'invalid_order', { text: /has no position/ });

    // ── kill switch: new risk refused, audited once ──
    await c.controlJson('/kill-switch', { body: { engaged: true } });
    await refused(a, 'place_order', buy(), 'kill_switch_engaged', { text: /kill switch is engaged/ });
    await refused(a, 'modify_order', { account: 'Sim101', orderId: 'x', quantity: 1 }, 'kill_switch_engaged');
    await refused(a, 'reverse_position', { account: 'Sim101', instrument: 'ES' }, 'kill_switch_engaged');
    await c.controlJson('/kill-switch', { body: { engaged: false } });

    // ── the person decides: denied, timed out, a second call with the same id while the first waits ──
    const b = await connect('Asker', { confirmPolicy: 'always' });
    const denyIt = async () => {
      const conf = await c.waitForConfirmation();
      await c.controlJson(`/confirmations/${conf.id}/deny`, { method: 'POST' });
    };
    await refused(b, 'place_order', buy(), 'confirmation_denied', { pending: denyIt, text: /the person at the desktop denied "Buy 1 ES/ });
    await refused(b, 'place_order', buy(), 'confirmation_timeout', { text: /nobody confirmed "Buy 1 ES .*" within 2 s/ });
    await refused(b, 'place_order', buy({ clientOrderId: 'twice' }), 'confirmation_denied', {
      nestedCalls: 1,
      pending: async () => {
        await c.waitForConfirmation();
        await refused(b, 'place_order', buy({ clientOrderId: 'twice' }), 'duplicate_in_progress', { text: /"twice" is still in progress/ });
        await denyIt();
      },
    });
    await refused(b, 'place_order', buy(), 'kill_switch_engaged', {
      pending: async () => {
        await c.waitForConfirmation();
        await c.controlJson('/kill-switch', { body: { engaged: true } });
      },
      text: /kill switch was engaged while "Buy 1 ES .*" waited for approval/,
    });
    await c.controlJson('/kill-switch', { body: { engaged: false } });

    // ── NinjaTrader does not answer: a trade's outcome is unknown, a read just failed ──
    c.simulator!.pauseResponses();
    const unknown = await refused(a, 'place_order', buy({ orderType: 'LIMIT', limitPrice: 5900, clientOrderId: 'unk-1' }), 'outcome_unknown', { text: /NOT retried.*"unk-1"/ });
    assert.equal(unknown.meta!.clientOrderId, 'unk-1');
    await refused(a, 'get_bars', { instrument: 'ES' }, 'addon_timeout', { text: /NinjaTrader could not return bars/ });
    c.simulator!.resumeResponses();

    // ── NinjaTrader not connected: every trade tool and get_bars say so at once ──
    await c.simulator!.close();
    await until(async () => (await call(a, 'get_status')).s.link.status !== 'connected', 'the link is down');
    for (const [tool, args] of [
      ['place_order', buy()],
      ['modify_order', { account: 'Sim101', orderId: orderId, quantity: 1 }],
      ['cancel_order', { account: 'Sim101', orderId: orderId }],
      ['cancel_all_orders', { account: 'Sim101' }],
      ['flatten_position', { account: 'Sim101' }],
      ['flatten_everything', {}],
      ['reverse_position', { account: 'Sim101', instrument: 'ES' }],
      ['get_bars', { instrument: 'ES' }],
    ] as [string, Record<string, unknown>][]) {
      await refused(a, tool, args, 'addon_disconnected', { text: /NinjaTrader is not connected/ });
    }

    // ── coverage: every tool was refused at least once; every code was walked or is accounted for ──
    for (const t of tools) assert.ok(covered.get(t.name)?.size, `${t.name} was never refused`);
    const seen = new Set([...covered.values()].flatMap((s) => [...s]));
    for (const code of Object.keys(REFUSAL_CODES)) {
      if (code === 'rejected') continue; // the simulator always gives its own code (invalid_order, unknown_order)
      assert.ok(seen.has(code) || NOT_WALKED[code], `code ${code} is neither walked nor accounted for`);
    }
  } finally {
    for (const x of conns) await x.close().catch(() => {});
    await c.cleanup();
  }
});

test('an unknown tool is a JSON-RPC error with one "MCP error -32602" prefix, and is audited as an error', async () => {
  const c: TestCompanion = await startTestCompanion();
  try {
    const conn = await connectWithOAuth(c.mcpUrl, (id) => approveNext(c, { accounts: ['Sim101'] }, id).then(() => {}));
    await assert.rejects(conn.client.callTool({ name: 'no_such_tool', arguments: {} }), (e: Error) => {
      assert.equal(e.message, 'MCP error -32602: Unknown tool: no_such_tool. Call tools/list to see the tools this token may use.');
      return true;
    });
    const row = (await c.controlJson<AuditPage>('/audit?tool=no_such_tool')).rows[0]!;
    assert.equal(row.outcome, 'error');
    await conn.close();
  } finally {
    await c.cleanup();
  }
});
