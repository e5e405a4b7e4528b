// Names shown to the person — client names in the consent and order prompts, the Clients view,
// the audit log, tray notifications — come from the client itself (RFC 7591 `client_name`, a
// metadata document). They pass through this one function, in the core, when stored and again when
// served, so rows stored before it existed are safe too. The renderer shows what the control API
// gives and isolates it (`<bdi>`); plain-text places (notifications) wrap it with `isolateText`.
// docs/security.md "Attacks tried → Prompts" lists what each rule stops.

/** Longest name shown, in user-perceived characters (grapheme clusters), ellipsis included. */
export const DISPLAY_NAME_MAX = 60;
export const UNNAMED_CLIENT = '(unnamed client)';

// Removed outright (invisible, or they change how the *surrounding* text is drawn):
//  - Cc: C0/C1 controls (tabs and newlines become spaces first);
//  - Cf: format characters — every bidi control (U+061C, U+200E/F, U+202A–202E, U+2066–2069),
//    zero-width space/joiners (U+200B–200D), word joiner (U+2060), BOM (U+FEFF), soft hyphen,
//    U+180E, tag characters (U+E0000–E007F), interlinear annotation marks;
//  - Cs: lone surrogates; Co: private-use characters (no agreed glyph; fonts may draw anything);
//  - variation selectors (U+FE00–FE0F, U+E0100–E01EF) and the combining grapheme joiner (U+034F);
//  - letters that render as blanks: Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), Braille blank
//    (U+2800), Khmer inherent vowels (U+17B4, U+17B5).
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;
/** Every kind of space and line/paragraph separator collapses to one ASCII space. */
const SPACES = /[\s\p{Zs}\p{Zl}\p{Zp}]+/gu;
/** At most two combining marks per character ("Zalgo" text would otherwise spill over other rows). */
const MARK_PILES = /(\p{M}{2})\p{M}+/gu;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * A client-supplied name made safe to show: invisible and bidi-control characters removed,
 * whitespace collapsed, piles of combining marks trimmed, at most `max` characters (with "…"),
 * and `fallback` when nothing visible remains. Idempotent: `displaySafe(displaySafe(x)) === displaySafe(x)`.
 */
export function displaySafe(raw: unknown, opts: { max?: number; fallback?: string } = {}): string {
  const max = opts.max ?? DISPLAY_NAME_MAX;
  const fallback = opts.fallback ?? UNNAMED_CLIENT;
  if (typeof raw !== 'string') return fallback;
  const cleaned = raw
    .slice(0, 4000) // bound the work on hostile input before any regex runs
    .normalize('NFC')
    .replace(/[\t\n\v\f\r\u0085]/g, ' ')
    .replace(INVISIBLE, '')
    .replace(MARK_PILES, '$1')
    .replace(SPACES, ' ')
    .trim();
  // Nothing visible left: only marks/spaces, or nothing at all.
  if (!/[^\s\p{M}]/u.test(cleaned)) return fallback;
  const parts = [...graphemes.segment(cleaned)].map((s) => s.segment);
  if (parts.length <= max) return cleaned;
  return `${parts.slice(0, max - 1).join('').trimEnd()}…`;
}

/**
 * How a redirect URI is shown ("Sends you back to …"): the host for http(s) — `claude.ai`,
 * `127.0.0.1:33418` — and, for an app's private-use scheme, only the scheme
 * ("an app registered as evil-app://"): in `evil-app://claude.ai/callback` the "host" is any text
 * the app chose and the operating system sends it to whichever app claimed the scheme.
 */
export function redirectDisplay(uri: string): { kind: 'web' | 'app'; host: string; label: string } {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return { kind: 'app', host: '', label: 'an unreadable address' };
  }
  if (u.protocol === 'https:' || u.protocol === 'http:') {
    const host = displaySafe(u.host, { max: 80, fallback: '(no host)' });
    return { kind: 'web', host, label: host };
  }
  const scheme = `${displaySafe(u.protocol.replace(/:$/, ''), { max: 40, fallback: '?' })}://`;
  return { kind: 'app', host: scheme, label: `an app registered as ${scheme}` };
}

/**
 * For plain text (OS notifications, log lines read by people): the name wrapped in
 * FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, the plain-text equivalent of `<bdi>`, so a
 * right-to-left name cannot reorder the words around it. `displaySafe` removed any isolates the
 * name carried, so this pair is balanced.
 */
export function isolateText(name: string): string {
  return `\u2068${displaySafe(name)}\u2069`;
}
