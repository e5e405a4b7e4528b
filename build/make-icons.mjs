#!/usr/bin/env node
// Draws the app and tray icons with plain Node (zlib only, no dependencies) and writes them next
// to this file: icon.png (512×512), icon.ico (one 256×256 PNG inside an ICO) and the 32×32 tray
// states. The output is generated, not committed: scripts/desktop.mjs and scripts/dist.mjs run
// this when a file is missing. The Electron shell imports the same drawing functions to build a
// fallback tray image in memory, so it never depends on these files existing.
//
//   node build/make-icons.mjs            write every icon that is missing
//   node build/make-icons.mjs --force    rewrite them all
import { deflateSync } from 'node:zlib';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

/** The tray states the shell shows; `attention` means requests are waiting for the person. */
export const TRAY_STATES = ['connected', 'waiting', 'disconnected', 'attention'];

const COLORS = {
  connected: [46, 158, 91], // green: the NT8 link is up
  waiting: [217, 154, 28], // amber: waiting for the NT8 add-on
  disconnected: [138, 143, 152], // grey: no link
  attention: [47, 111, 222], // blue with "!": a consent or an order confirmation is waiting
};

// ── PNG ──────────────────────────────────────────────────────────────────────────────────────

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** Encodes straight RGBA pixels (width × height × 4 bytes) as a PNG (colour type 6, 8 bits). */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Wraps one PNG (≤ 256 px) in an ICO container; Windows Vista+ reads PNG-compressed entries. */
export function encodeIco(png, size) {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header[6] = size >= 256 ? 0 : size; // 0 means 256
  header[7] = size >= 256 ? 0 : size;
  header[8] = 0; // no palette
  header[9] = 0;
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(22, 18); // offset of the image data
  return Buffer.concat([header, png]);
}

// ── drawing ──────────────────────────────────────────────────────────────────────────────────

/** A tiny canvas: shapes are coverage functions, sampled 4×4 per pixel for smooth edges. */
function canvas(size) {
  const px = new Uint8Array(size * size * 4);
  return {
    px,
    fill(inside, [r, g, b], alpha = 1) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          let hits = 0;
          for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4)) hits++;
          if (!hits) continue;
          const a = (hits / 16) * alpha;
          const i = (y * size + x) * 4;
          const da = px[i + 3] / 255;
          const oa = a + da * (1 - a);
          const mix = (s, d) => Math.round((s * a + d * da * (1 - a)) / oa);
          px[i] = mix(r, px[i]);
          px[i + 1] = mix(g, px[i + 1]);
          px[i + 2] = mix(b, px[i + 2]);
          px[i + 3] = Math.round(oa * 255);
        }
      }
    },
  };
}

const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1;
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x >= x1 || y < y0 || y >= y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

/** Candlestick glyph (three candles) inside a box of side `s` at (ox, oy). */
function candles(c, ox, oy, s, color) {
  const w = s * 0.16;
  const bars = [
    { x: 0.2, wick: [0.3, 0.8], body: [0.42, 0.7] },
    { x: 0.5, wick: [0.12, 0.72], body: [0.22, 0.55] },
    { x: 0.8, wick: [0.22, 0.9], body: [0.35, 0.78] },
  ];
  for (const b of bars) {
    const cx = ox + b.x * s;
    c.fill(rect(cx - s * 0.025, oy + b.wick[0] * s, cx + s * 0.025, oy + b.wick[1] * s), color);
    c.fill(roundRect(cx - w / 2, oy + b.body[0] * s, cx + w / 2, oy + b.body[1] * s, s * 0.02), color);
  }
}

/** RGBA pixels of a tray icon for `state` at `size` px (square). */
export function trayPixels(state, size = 32) {
  const color = COLORS[state] ?? COLORS.disconnected;
  const c = canvas(size);
  const h = size / 2;
  c.fill(circle(h, h, h - 0.5), [255, 255, 255], 0.9); // light rim: readable on dark and light taskbars
  c.fill(circle(h, h, h - size * 0.09), color);
  if (state === 'attention') {
    // "!" in white
    c.fill(roundRect(h - size * 0.07, size * 0.2, h + size * 0.07, size * 0.6, size * 0.05), [255, 255, 255]);
    c.fill(circle(h, size * 0.74, size * 0.08), [255, 255, 255]);
  } else {
    candles(c, h - size * 0.3, h - size * 0.3, size * 0.6, [255, 255, 255]);
    if (state === 'disconnected') c.fill((x, y) => Math.abs(x - y) < size * 0.06 && circle(h, h, h - size * 0.12)(x, y), [200, 60, 50]);
  }
  return c.px;
}

/** PNG bytes of a tray icon. */
export function trayPng(state, size = 32) {
  return encodePng(size, size, trayPixels(state, size));
}

/** PNG bytes of the application icon. */
export function appIconPng(size = 512) {
  const c = canvas(size);
  c.fill(roundRect(size * 0.04, size * 0.04, size * 0.96, size * 0.96, size * 0.18), [22, 33, 54]);
  c.fill(roundRect(size * 0.04, size * 0.04, size * 0.96, size * 0.96, size * 0.18), [47, 111, 222], 0.25);
  candles(c, size * 0.18, size * 0.16, size * 0.64, [255, 255, 255]);
  c.fill(circle(size * 0.83, size * 0.83, size * 0.075), [46, 158, 91]);
  return encodePng(size, size, c.px);
}

/** Every generated file, by name, as a function producing its bytes. */
export function iconFiles() {
  const files = {
    'icon.png': () => appIconPng(512),
    'icon.ico': () => encodeIco(appIconPng(256), 256),
  };
  for (const s of TRAY_STATES) {
    files[`tray-${s}.png`] = () => trayPng(s, 32);
    files[`tray-${s}@2x.png`] = () => trayPng(s, 64);
  }
  return files;
}

/** Writes the icons into `dir` (default: this folder); returns the names written. */
export function writeIcons({ dir = dirname(fileURLToPath(import.meta.url)), force = false } = {}) {
  const written = [];
  for (const [name, make] of Object.entries(iconFiles())) {
    const file = join(dir, name);
    if (!force && existsSync(file)) continue;
    writeFileSync(file, make());
    written.push(name);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = writeIcons({ force: process.argv.includes('--force') });
  console.log(written.length ? `build/: wrote ${written.join(', ')}` : 'build/: icons up to date');
}
