/**
 * Turns whatever a client call threw into a sentence for the person at the screen: the typed
 * errors of core carry a message written for that. Internal.
 * @example this._error = errorText(error);
 */
export function errorText(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  return 'Something went wrong. Please try again.';
}
