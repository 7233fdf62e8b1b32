/**
 * A message's text as `<roomkey-room>` shows it: line breaks kept (the row's CSS), web and mail
 * addresses made into links that open in a new tab without handing it this page
 * (`rel="noopener noreferrer"`), and only for http, https and mailto: any other scheme
 * (`javascript:`, `data:`) stays plain text. Long texts start collapsed. Internal.
 * @example html`<p class="text">${linkedText(message.text)}</p>`
 */
import { html, type TemplateResult } from 'lit';

/** Candidates start with a scheme we link; anything else is never even looked at. */
const LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than an address ("see https://x.example."). */
const TRAILING = /[.,;:!?)\]}'"]+$/;
const SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** A text longer than this many characters or lines starts collapsed with "Show more". */
export const COLLAPSE_CHARS = 700;
export const COLLAPSE_LINES = 12;

/**
 * Whether a text is long enough to start collapsed.
 * @example isLongText('x'.repeat(800)) === true
 */
export function isLongText(text: string): boolean {
  if (text.length > COLLAPSE_CHARS) return true;
  let lines = 1;
  for (const ch of text) if (ch === '\n' && ++lines > COLLAPSE_LINES) return true;
  return false;
}

/**
 * The URL to link for a candidate, or undefined when it is not an http, https or mailto URL.
 * @example safeHref('javascript:alert(1)') === undefined
 */
export function safeHref(candidate: string): string | undefined {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  return SCHEMES.has(url.protocol) ? url.href : undefined;
}

/**
 * The text with its addresses as links (see the top of this file).
 * @example html`${linkedText('see https://example.com')}`
 */
export function linkedText(text: string): Array<string | TemplateResult> {
  const out: Array<string | TemplateResult> = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const raw = match[0].replace(TRAILING, '');
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index;
    if (start > last) out.push(text.slice(last, start));
    out.push(html`<a part="link" href=${href} target="_blank" rel="noopener noreferrer">${raw}</a>`);
    last = start + raw.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
