/**
 * How long a message may be, and the words that say so. A limit well under the envelope's 256 KiB
 * (core/crypto envelope.ts) keeps rooms readable and bounds what each device stores and decrypts
 * per message; the composer refuses a longer one before anything is sent, and RoomHandle.send
 * refuses it too (bots and other hosts get the same rule). Light: the eager components bundle
 * imports it.
 * @example const problem = messageSizeProblem(text); if (problem) showError(problem);
 */

/** The most a message's text may hold, in bytes of UTF-8. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

const encoder = new TextEncoder();

/** Bytes of UTF-8 in `text`. */
export function messageBytes(text: string): number {
  return encoder.encode(text).length;
}

/** "16 KB"; never rounds a size over the limit down to the limit. */
function kilobytes(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * Undefined when `text` fits, else the sentence that says the limit and this message's size.
 * @example messageSizeProblem('x'.repeat(20 * 1024)) === 'Messages can be at most 16 KB; this one is 20 KB. Shorten it or send it in parts.'
 */
export function messageSizeProblem(text: string): string | undefined {
  const bytes = messageBytes(text);
  if (bytes <= MAX_MESSAGE_BYTES) return undefined;
  return `Messages can be at most ${kilobytes(MAX_MESSAGE_BYTES)}; this one is ${kilobytes(bytes)}. Shorten it or send it in parts.`;
}
