/**
 * Turns whatever a client call threw into a sentence for the person at the screen: the typed
 * errors of core carry a message written for that, and one that is not (an internal prefix, an
 * id, a stack) is replaced by its code's sentence (core/errors.ts userErrorText). Internal.
 * @example this._error = errorText(error);
 */
import { userErrorText } from '../core/errors.ts';

export function errorText(error: unknown): string {
  return userErrorText(error);
}
