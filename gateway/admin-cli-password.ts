/**
 * The admin CLI's password: never from the command line (other users of the machine see it in
 * the process list, and shells keep history). From a terminal it is asked without echo; from a
 * pipe or a file (`< secret`) the first line is taken.
 * @example const password = await readPassword(process.stdin, process.stderr, 'Password for alice: ');
 */
import type { Readable } from 'node:stream';
import { MalformedError } from '../core/errors.ts';

/** A terminal's stdin: raw mode lets us read keys without the terminal echoing them. */
interface Tty extends Readable {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

async function firstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

function withoutEcho(
  input: Tty,
  prompt: { write(text: string): unknown },
  question: string,
): Promise<string> {
  prompt.write(question);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      prompt.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new MalformedError('Cancelled.')); // Ctrl-C
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

/**
 * Reads the password from `input` (a terminal: asked without echo; else its first line).
 * @example const password = await readPassword(process.stdin, process.stderr, 'Password: ');
 */
export async function readPassword(
  input: Tty,
  prompt: { write(text: string): unknown },
  question: string,
): Promise<string> {
  const password = input.isTTY ? await withoutEcho(input, prompt, question) : await firstLine(input);
  if (!password)
    throw new MalformedError(
      'No password: type it when asked, or give it on stdin (never on the command line).',
    );
  return password;
}
