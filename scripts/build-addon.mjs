#!/usr/bin/env node
// `npm run build:addon [-- --out <file.zip>]`: writes dist/NTMcpCompanionAddOn.zip, the file a
// NinjaTrader 8 user imports with Control Center → Tools → Import → NinjaScript Add-On…
// (run with `node --import tsx` so it reads the file list from src/addon/install.ts, the same
// list the desktop app's "Install NinjaTrader add-on" copies).
//
// The layout is the one NT8 itself writes when it exports NinjaScript as source (Tools → Export →
// NinjaScript Add-On), as seen in real NT8 export zips published on GitHub:
// - allankk/ninjatrader-addons `NinjaScript-Addons.zip` (exported by NT8 8.1.2.0) lists
//   `Info.xml` at the root and each source file under the folder it has below
//   `Documents\NinjaTrader 8\bin\Custom`: `Indicators\BarSizeCounter.cs`,
//   `DrawingTools\Measure.cs`, `BarsTypes\TrendReversalType.cs` — with backslashes in the entry
//   names, as .NET's ZipFile writes them on Windows;
// - dorrod-blip/account_item_to_csv_ninjatrader (an unpacked add-on export): `Info.xml` and
//   `AddOns/AccountInfoAddon.cs`;
// - every such Info.xml is exactly
//   `<?xml version="1.0" encoding="utf-8"?><NinjaTrader><Export><Version>8.1.x.y</Version></Export></NinjaTrader>`
//   (the NT8 version that exported it: 8.1.2.0 and 8.1.1.1 in those two).
// So our zip holds Info.xml plus `AddOns\NTMcpCompanion\<Layer>\<File>.cs`, which NT8 unpacks into
// bin\Custom\AddOns\NTMcpCompanion\… and compiles. Only addon/Protocol, addon/Gateway and
// addon/NinjaTrader ship; addon/stubs, addon/harness and addon/tests never do.
import { mkdirSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import { ADDON_FOLDER, addonSourceFiles, REPO_ROOT } from '../src/addon/install.ts';

/** The NT8 version written into Info.xml: the older of the two real exports above, so no 8.1 install sees a zip "from a newer version". */
export const EXPORT_VERSION = '8.1.1.1';
export const INFO_XML = `<?xml version="1.0" encoding="utf-8"?>\r\n<NinjaTrader>\r\n  <Export>\r\n    <Version>${EXPORT_VERSION}</Version>\r\n  </Export>\r\n</NinjaTrader>`;
/** A fixed time for every entry, so the same sources always give the same zip. */
const MTIME = new Date('2026-01-01T00:00:00Z');

const { values } = parseArgs({ options: { out: { type: 'string' }, root: { type: 'string' } }, strict: true });
const root = values.root ? resolve(values.root) : REPO_ROOT;
const out = values.out ? resolve(values.out) : join(REPO_ROOT, 'dist', 'NTMcpCompanionAddOn.zip');

const files = addonSourceFiles(root);
/** @type {Record<string, [Uint8Array, { mtime: Date }]>} */
const entries = { 'Info.xml': [new TextEncoder().encode(INFO_XML), { mtime: MTIME }] };
for (const f of files) entries[['AddOns', ADDON_FOLDER, ...f.rel.split('/')].join('\\')] = [readFileSync(f.abs), { mtime: MTIME }];
const zip = zipSync(entries, { level: 9 });

mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, zip);
renameSync(tmp, out);
console.log(`Wrote ${out} (${files.length} source files + Info.xml, ${zip.length} bytes).`);
console.log('In NinjaTrader 8: Control Center → Tools → Import → NinjaScript Add-On…, pick this file; then New → MCP Companion.');
