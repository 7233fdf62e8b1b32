/**
 * Contacts' trust as the background hands it out: a site may read it (and the safety number) for
 * the members of rooms it may read, and ask for the extension's verify window; it never changes
 * it. Verifying, taking a verification back and accepting a key change are management acts the
 * user does in the extension's own UI (verify.html, the extension's room tab), which alone writes
 * them into the encrypted store.
 * @example await mayAskAbout(gate, caller, rooms, [bobId]);
 */
import { NotApprovedError } from '../../core/bridge/index.ts';
import type { RoomSummary } from '../../core/client/index.ts';
import { UnsupportedError } from '../../core/errors.ts';
import type { AccessGate } from './access.ts';
import type { BackgroundSession } from './background-session.ts';
import { visibleUsers } from './event-filter.ts';
import { type Caller, frameKind } from './origin.ts';

/**
 * NotApprovedError unless the caller may see every one of `userIds`: the extension's own pages
 * see all; a site's page or sealed frame only members of rooms it may read (its site approved).
 * @example mayAskAbout(gate, caller, await session.listRooms(), [bobId]);
 */
export function mayAskAbout(
  gate: AccessGate,
  caller: Caller,
  rooms: readonly RoomSummary[],
  userIds: readonly string[],
): void {
  if (caller.kind === 'extension') return;
  if (caller.frame === 'page') gate.requireSite(caller);
  const visible = visibleUsers(rooms, frameKind(caller), (roomId) => gate.accessOf(caller, roomId));
  if (userIds.some((id) => !visible.has(id))) {
    throw new NotApprovedError(
      `RoomKey: ${caller.origin} is not approved for that contact: a site may only ask about members of rooms approved for it. The user decides in the RoomKey extension.`,
    );
  }
}

type TrustSession = Required<
  Pick<BackgroundSession, 'contacts' | 'verifyContact' | 'unverifyContact' | 'acceptKeyChange'>
>;

/**
 * The session's contacts, or a clear refusal from one that has none (a test double).
 * @example await trustOf(account.session()).contacts([bobId]);
 */
export function trustOf(session: BackgroundSession): TrustSession {
  const { contacts, verifyContact, unverifyContact, acceptKeyChange } = session;
  if (!contacts || !verifyContact || !unverifyContact || !acceptKeyChange) {
    throw new UnsupportedError('RoomKey: this extension cannot show contacts’ safety numbers yet.');
  }
  return {
    contacts: contacts.bind(session),
    verifyContact: verifyContact.bind(session),
    unverifyContact: unverifyContact.bind(session),
    acceptKeyChange: acceptKeyChange.bind(session),
  };
}
