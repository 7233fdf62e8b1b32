// Portable assertions for suites that run unchanged in Node (node:test) and Chromium (WTR/mocha).
import { toHex } from '../../core/bytes.ts';

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function ok(value: unknown, message = 'expected a truthy value'): asserts value {
  if (!value) throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(message ?? `expected ${String(expected)}, got ${String(actual)}`);
  }
}

export function bytesEqual(actual: Uint8Array, expected: Uint8Array | string, message?: string): void {
  const want = typeof expected === 'string' ? expected : toHex(expected);
  const got = toHex(actual);
  if (got !== want) throw new AssertionError(`${message ?? 'bytes differ'}: expected ${want}, got ${got}`);
}

/** Awaits `fn` and checks it rejects (or throws) with an instance of `type`; returns the error. */
export async function rejects<E extends Error>(
  fn: () => unknown,
  type: new (...args: never[]) => E,
  message?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw new AssertionError(
      `${message ?? 'wrong error'}: expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
    );
  }
  throw new AssertionError(`${message ?? 'no error'}: expected ${type.name} to be thrown`);
}
