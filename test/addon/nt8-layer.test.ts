// The real NinjaTrader 8 layer of the add-on (addon/NinjaTrader/): it compiles with Mono against stubs of
// exactly the NT8 API it uses, and it keeps the rules NT8 and the protocol set (no sockets in
// SetDefaults/Configure, no undocumented FlattenEverything, Protocol/Gateway free of NinjaTrader types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkNt8, findMcs, ROOT as repoRoot, sources as csFiles } from '../../scripts/addon.mjs';

const addon = join(repoRoot, 'addon');


/** C# source with comments, string and char literals blanked (same length), so scans see only code. */
export function codeOnly(src: string): string {
  let out = '';
  let i = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '@' && next === '"') {
      let j = i + 2;
      while (j < src.length && !(src[j] === '"' && src[j + 1] !== '"')) j += src[j] === '"' ? 2 : 1;
      out += '""' + blank(src.slice(i + 2, j)).slice(1);
      i = j + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += c + blank(src.slice(i + 1, j)) + c;
      i = j + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The body (between its braces) of each `if (State == State.<state>)` / `else if (...)` branch. */
export function stateBranches(code: string, state: string): string[] {
  const bodies: string[] = [];
  const re = new RegExp(`State\\s*==\\s*State\\.${state}\\s*\\)`, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(code))) {
    let i = m.index + m[0].length;
    while (i < code.length && /\s/.test(code[i]!)) i++;
    if (code[i] !== '{') {
      // a single statement without braces
      const end = code.indexOf(';', i);
      bodies.push(code.slice(i, end + 1));
      continue;
    }
    let depth = 0;
    const start = i;
    for (; i < code.length; i++) {
      if (code[i] === '{') depth++;
      else if (code[i] === '}' && --depth === 0) break;
    }
    bodies.push(code.slice(start + 1, i));
  }
  return bodies;
}

/** What must never happen while NT8 sets an object up (SetDefaults runs on throw-away instances). */
const forbiddenAtSetup =
  /\b(AddonHost|NinjaTraderGateway|ClientWebSocket|WebSocket|TcpClient|Socket|HttpClient|WebClient|Thread|Timer|Task|ThreadPool|StartLink|Start|Connect|Reconnect)\b|\+=/;

/** Problems in one NinjaTrader-layer file, as sentences. */
export function nt8LayerViolations(src: string, file: string): string[] {
  const code = codeOnly(src);
  const problems: string[] = [];
  for (const state of ['SetDefaults', 'Configure']) {
    for (const body of stateBranches(code, state)) {
      const hit = forbiddenAtSetup.exec(body);
      if (hit) problems.push(`${file}: State.${state} must only set defaults, but it uses '${hit[0]}'`);
    }
  }
  if (/\bFlattenEverything\b/.test(code)) problems.push(`${file}: calls the undocumented FlattenEverything`);
  return problems;
}

/** Problems in one Protocol/Gateway file: no NinjaTrader namespace may appear there. */
export function seamViolations(src: string, file: string): string[] {
  const code = codeOnly(src);
  const problems: string[] = [];
  const m = /\busing\s+(static\s+)?(\w+\s*=\s*)?NinjaTrader\b|\bnamespace\s+NinjaTrader\b|\bNinjaTrader\s*\./.exec(code);
  if (m) problems.push(`${file}: references a NinjaTrader namespace ('${m[0].trim()}')`);
  return problems;
}

test('the NT8 layer compiles with Mono (mcs -langversion:7.2) against the NT8 API stubs', (t) => {
  if (!findMcs()) {
    if (process.env.CI) assert.fail('mcs (Mono C# compiler) is missing on CI: .ci/run must apt-get install mono-mcs');
    t.skip('mcs (Mono C# compiler) is not installed here (apt-get install -y mono-mcs); CI runs this check');
    return;
  }
  const r = checkNt8();
  assert.ok(r.ok, `the NinjaTrader layer does not compile:\n${r.command}\n${r.output}`);
  assert.ok(existsSync(r.dll));
  const names = r.files.map((f) => f.slice(repoRoot.length + 1).replace(/\\/g, '/'));
  for (const f of ['addon/NinjaTrader/NinjaTraderGateway.cs', 'addon/NinjaTrader/McpCompanionAddOn.cs',
    'addon/NinjaTrader/McpCompanionWindow.cs', 'addon/Gateway/INinjaTraderGateway.cs', 'addon/Gateway/Model.cs'])
    assert.ok(names.includes(f), `${f} is part of the compile`);
  assert.ok(names.includes('addon/Gateway/AddonHost.cs'), 'against the real AddonHost the add-on ships');
});

test('the stubs are strict: a call NT8 does not document (Account.FlattenEverything) fails the compile', (t) => {
  if (!findMcs()) {
    if (process.env.CI) assert.fail('mcs (Mono C# compiler) is missing on CI: .ci/run must apt-get install mono-mcs');
    t.skip('mcs (Mono C# compiler) is not installed here (apt-get install -y mono-mcs); CI runs this check');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nt8-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'Bad.cs');
  writeFileSync(bad, [
    'using NinjaTrader.Cbi;',
    'namespace NinjaTrader.NinjaScript.AddOns { public static class Bad {',
    '  public static void FlattenAll(Account a) { a.FlattenEverything(); }',
    '} }',
  ].join('\n'));
  const r = checkNt8({ extraFiles: [bad], outName: 'NTMcpCompanion.Nt8Check.Bad.dll' });
  assert.equal(r.ok, false, 'a call to an API the stubs do not declare must not compile');
  assert.match(r.output, /FlattenEverything/);
});

test('addon/NinjaTrader opens nothing in SetDefaults/Configure, starts on State.Active and never calls FlattenEverything', () => {
  const files = csFiles(join(addon, 'NinjaTrader'));
  assert.ok(files.length >= 3, 'the NinjaTrader layer exists');
  const problems = files.flatMap((f) => nt8LayerViolations(readFileSync(f, 'utf8'), f.slice(repoRoot.length + 1)));
  assert.deepEqual(problems, []);

  // The AddOn itself: SetDefaults sets Name/Description only; the link starts on Active; Terminated stops it.
  const addOn = codeOnly(readFileSync(join(addon, 'NinjaTrader', 'McpCompanionAddOn.cs'), 'utf8'));
  assert.match(addOn, /class\s+McpCompanionAddOn\s*:\s*AddOnBase/);
  assert.match(addOn, /namespace\s+NinjaTrader\.NinjaScript\.AddOns\s*\{/);
  const defaults = stateBranches(addOn, 'SetDefaults');
  assert.equal(defaults.length, 1);
  const assigned = [...defaults[0]!.matchAll(/\b(\w+)\s*=/g)].map((m) => m[1]);
  assert.deepEqual(assigned.sort(), ['Description', 'Name']);
  const active = stateBranches(addOn, 'Active');
  assert.equal(active.length, 1);
  assert.match(active[0]!, /StartLink\s*\(/);
  const terminated = stateBranches(addOn, 'Terminated');
  assert.equal(terminated.length, 1);
  assert.match(terminated[0]!, /StopLink\s*\(/);
  // The host is created only inside StartLink, which only the Active branch calls.
  assert.equal([...addOn.matchAll(/new\s+AddonHost\s*\(/g)].length, 1);
  assert.equal([...addOn.matchAll(/StartLink\s*\(\s*\)\s*;/g)].length, 1);
});

test('the static checks bite: sockets in SetDefaults, FlattenEverything and NinjaTrader types in the seam are caught', () => {
  const bad = `
    protected override void OnStateChange() {
      if (State == State.SetDefaults) { Name = "x"; host = new AddonHost(g, o); host.Start(); }
      else if (State == State.Configure) Account.AccountStatusUpdate += OnStatus;
    }
    void F(Account a) { a.FlattenEverything(); }`;
  const problems = nt8LayerViolations(bad, 'Bad.cs');
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /State\.SetDefaults .* 'AddonHost'/);
  assert.match(problems[1]!, /State\.Configure .* '\+='/);
  assert.match(problems[2]!, /FlattenEverything/);
  // Mentions in comments and strings are not calls.
  assert.deepEqual(nt8LayerViolations('// never FlattenEverything\nstring s = "FlattenEverything";', 'Ok.cs'), []);

  assert.equal(seamViolations('using NinjaTrader.Cbi;', 'A.cs').length, 1);
  assert.equal(seamViolations('var a = NinjaTrader.Cbi.Account.All;', 'B.cs').length, 1);
  assert.equal(seamViolations('using NT = NinjaTrader.Cbi;', 'C.cs').length, 1);
  assert.deepEqual(seamViolations('// see NinjaTrader/NinjaTraderGateway.cs\ninterface INinjaTraderGateway {}', 'D.cs'), []);
});

test('addon/Protocol and addon/Gateway never reference a NinjaTrader namespace', () => {
  const files = [...csFiles(join(addon, 'Protocol')), ...csFiles(join(addon, 'Gateway'))];
  assert.ok(files.some((f) => f.endsWith('INinjaTraderGateway.cs')), 'the Gateway seam exists');
  const problems = files.flatMap((f) => seamViolations(readFileSync(f, 'utf8'), f.slice(repoRoot.length + 1)));
  assert.deepEqual(problems, []);
});

test('the stubs never declare FlattenEverything and every stub file says it is compile-only', () => {
  for (const f of csFiles(join(addon, 'stubs'))) {
    const src = readFileSync(f, 'utf8');
    assert.doesNotMatch(codeOnly(src), /\bFlattenEverything\b/, f);
    assert.match(src, /COMPILE-ONLY|STAND-IN/, `${f} must say it never ships`);
  }
});

test('Nt8Names (run under Mono): contract names, currencies and account items map as the protocol says', (t) => {
  if (!findMcs()) {
    if (process.env.CI) assert.fail('mcs (Mono C# compiler) is missing on CI: .ci/run must apt-get install mono-mcs');
    t.skip('mcs/mono are not installed here (apt-get install -y mono-mcs); CI runs this check');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nt8-names-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const names = ['ES 12-26', 'es', 'ESZ26', 'esz6', 'MNQH27', 'MNQ', 'GCG7', 'CL', ' ES  03-27 ', 'ZN', 'ESH5', 'ESH4', 'EUR/USD', '', 'x'.repeat(65)];
  const currencies = ['UsDollar', 'Euro', 'BritishPound', 'JapaneseYen', 'SwissFranc', 'CanadianDollar', 'AustralianDollar',
    'HongKongDollar', 'NewZealandDollar', 'SouthAfricanRand', ''];
  const items = ['CashValue', 'RealizedProfitLoss', 'UnrealizedProfitLoss', 'GrossRealizedProfitLoss', 'ExcessEquity', 'NetLiquidationByCurrency', 'Fee'];
  const q = (s: string) => JSON.stringify(s);
  writeFileSync(join(dir, 'Run.cs'), `
using System;
using NinjaTrader.NinjaScript.AddOns.McpCompanion;
static class Run {
  static void Main() {
    var today = new DateTime(2026, 11, 25);
    foreach (var s in new[] { ${names.map(q).join(', ')} }) {
      bool root; var n = Nt8Names.Normalise(s, today, out root);
      Console.WriteLine("name\\t" + s + "\\t" + (n ?? "<null>") + "\\t" + (root ? "root" : "contract"));
    }
    foreach (var c in new[] { ${currencies.map(q).join(', ')} })
      Console.WriteLine("currency\\t" + c + "\\t" + Nt8Names.IsoCurrency(c));
    foreach (var i in new[] { ${items.map(q).join(', ')} })
      Console.WriteLine("item\\t" + i + "\\t" + (Nt8Names.ProtocolItem(i) ?? "<none>"));
    Console.WriteLine("contract\\tES\\t" + Nt8Names.ContractName("ES", new DateTime(2027, 3, 19)));
  }
}`);
  const exe = join(dir, 'run.exe');
  const c = spawnSync('mcs', ['-langversion:7.2', '-nologo', `-out:${exe}`, join(addon, 'NinjaTrader', 'Nt8Names.cs'), join(dir, 'Run.cs')], { encoding: 'utf8' });
  assert.equal(c.status, 0, `${c.stdout}${c.stderr}`);
  const r = spawnSync('mono', [exe], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  const got = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  const name = (s: string) => got.find((g) => g[0] === 'name' && g[1] === s)?.slice(2);
  assert.deepEqual(name('ES 12-26'), ['ES 12-26', 'contract']);
  assert.deepEqual(name('es'), ['ES', 'root']);
  assert.deepEqual(name('ESZ26'), ['ES 12-26', 'contract']);
  assert.deepEqual(name('esz6'), ['ES 12-26', 'contract']);
  assert.deepEqual(name('MNQH27'), ['MNQ 03-27', 'contract']);
  assert.deepEqual(name('MNQ'), ['MNQ', 'root']);
  assert.deepEqual(name('GCG7'), ['GC 02-27', 'contract']);
  assert.deepEqual(name('CL'), ['CL', 'root']);
  assert.deepEqual(name(' ES  03-27 '), ['ES 03-27', 'contract']);
  assert.deepEqual(name('ZN'), ['ZN', 'root']); // Z and N are month codes, but no year follows
  assert.deepEqual(name('ESH5'), ['ES 03-25', 'contract']); // last year's contract stays last year's
  assert.deepEqual(name('ESH4'), ['ES 03-34', 'contract']); // two years back: the next decade's
  assert.deepEqual(name('EUR/USD'), ['EUR/USD', 'contract']); // not ours to judge: NT8 resolves it
  assert.deepEqual(name(''), ['<null>', 'contract']);
  assert.deepEqual(name('x'.repeat(65)), ['<null>', 'contract']);
  const currency = Object.fromEntries(got.filter((g) => g[0] === 'currency').map((g) => [g[1], g[2]]));
  assert.deepEqual(currency, {
    UsDollar: 'USD', Euro: 'EUR', BritishPound: 'GBP', JapaneseYen: 'JPY', SwissFranc: 'CHF', CanadianDollar: 'CAD',
    AustralianDollar: 'AUD', HongKongDollar: 'HKD', NewZealandDollar: 'NZD', SouthAfricanRand: 'SouthAfricanRand', '': 'USD',
  });
  const item = Object.fromEntries(got.filter((g) => g[0] === 'item').map((g) => [g[1], g[2]]));
  assert.deepEqual(item, {
    CashValue: 'cashValue', RealizedProfitLoss: 'realizedPnL', UnrealizedProfitLoss: 'unrealizedPnL',
    GrossRealizedProfitLoss: 'grossRealizedPnL', ExcessEquity: 'excessEquity', NetLiquidationByCurrency: '<none>', Fee: '<none>',
  });
  assert.deepEqual(got.find((g) => g[0] === 'contract'), ['contract', 'ES', 'ES 03-27']);
});
