/**
 * The two errors only the bridge gives: a site not approved for what it asked, and an account act
 * only the extension's own UI may do. Both are ForbiddenError (code `forbidden`), told apart by a
 * flag that crosses the bridge with them (error-table.ts).
 * @example if (error instanceof NotApprovedError) showAskAgainButton();
 */
import { ForbiddenError } from '../errors.ts';

/**
 * The site is not approved for what it asked (using RoomKey at all, or this room): the user
 * declined, has not answered, or revoked it. A ForbiddenError (code `forbidden`); no data comes with it.
 * @example if (error instanceof NotApprovedError) showAskAgainButton();
 */
export class NotApprovedError extends ForbiddenError {
  readonly notApproved = true;
}

/**
 * Only the extension's own UI (its popup and sign-in window) may sign in, sign up, unlock or sign
 * out: a site asked for one of them. A ForbiddenError (code `forbidden`); the page should offer
 * the extension's window instead (`client.openSignIn()`).
 * @example if (error instanceof ExtensionOnlyError) await client.openSignIn();
 */
export class ExtensionOnlyError extends ForbiddenError {
  readonly extensionOnly = true;

  constructor(
    message = 'RoomKey: with the RoomKey extension installed, passwords are typed only in its own window, and only the RoomKey extension signs in, unlocks or signs out. Use "Sign in with the RoomKey extension" on this page, or the RoomKey toolbar button.',
  ) {
    super(message);
  }
}
