/**
 * What the background does for each bridge request, after the request was checked and its caller
 * derived from the browser (lib/origin.ts). Every path goes through the approval gate first; a
 * site's page sees plaintext only of rooms approved for `read`.
 * @example const result = await handleRequest(context, frame, request, (progress) => post(progress));
 */
import {
  BRIDGE_VERSION,
  type BridgeRequest,
  CONTACT_TRUST_REFUSAL,
  ExtensionOnlyError,
  NotApprovedError,
  type ParamsOf,
} from '../../core/bridge/index.ts';
import type { HistoryProgress, SentMessage } from '../../core/client/index.ts';
import { ForbiddenError, UnsupportedError } from '../../core/errors.ts';
import type { AccessGate } from './access.ts';
import { type Account, stateSnapshot } from './account.ts';
import type { ApprovalStore } from './approvals.ts';
import type { BackgroundSession } from './background-session.ts';
import { mayAskAbout, trustOf } from './contact-trust.ts';
import { visibleRoom } from './event-filter.ts';
import type { Frame } from './frames.ts';
import type { FrameState } from './messages.ts';
import { type Caller, frameKind } from './origin.ts';

export interface HandlerContext {
  account: Account;
  approvals: ApprovalStore;
  gate: AccessGate;
  /** The sealed room page for a room (web-accessible, inside the site's iframe). */
  sealedRoomUrl(roomId: string): string;
  /** Records a change of the frame (connected, focused room) and what follows from it (presence). */
  updateFrame(patch: Partial<FrameState>): void;
  /** Sign-out: approvals are forgotten with the account. */
  signedOut(): Promise<void>;
  /** A site was granted a room: every frame hears the room list again, as far as it may see it. */
  roomsChanged(): Promise<void>;
  /** Shows the extension's sign-in window (lib/sign-in-window.ts): `site` asked, suggesting `gateway`. */
  openSignIn(request: { site: string | null; gateway: string | null }): Promise<void>;
  /** Shows the extension's verify window for a contact (lib/verify-window.ts): `site` asked. */
  openVerify(request: { site: string | null; userId: string }): Promise<void>;
}

/** The member's name as the room lists it, for the question the user confirms. */
async function memberName(account: Account, roomId: string, userId: string): Promise<string | null> {
  const rooms = await account.session().listRooms();
  const room = rooms.find((r) => r.roomId === roomId);
  return room?.members.find((m) => m.userId === userId)?.username ?? null;
}

/**
 * The account belongs to the extension's own UI: a site (page or sealed frame) never signs in,
 * signs up, unlocks or signs out. Passwords typed into a page would be the page's to keep (and
 * `unlock` would be a password oracle); sign-out wipes the keys; sign-in picks the account and
 * gateway (login CSRF). An unapproved page hears NotApprovedError, as for everything else.
 */
function extensionUiOnly(caller: Caller, gate: AccessGate, message?: string): void {
  if (caller.kind === 'extension') return;
  if (caller.frame === 'page') gate.requireSite(caller);
  throw new ExtensionOnlyError(message);
}

function sealedMay(caller: Caller, what: string): void {
  if (caller.kind === 'site' && caller.frame === 'sealed') {
    throw new ForbiddenError(`RoomKey: a sealed room cannot ${what}; use the RoomKey extension's popup.`);
  }
}

/** The session's sendEvent, or a clear refusal from one that has none (a test double). */
function sendEvent(session: BackgroundSession, params: ParamsOf<'sendEvent'>): Promise<SentMessage> {
  if (!session.sendEvent)
    throw new UnsupportedError('RoomKey: this extension cannot send replies, edits or reactions yet.');
  return session.sendEvent(params.roomId, params.event);
}

/** The session's outbox methods, or a clear refusal from one that keeps none (a test double). */
function outboxOf(
  session: BackgroundSession,
): Required<Pick<BackgroundSession, 'unsent' | 'retrySend' | 'discardSend'>> {
  const { unsent, retrySend, discardSend } = session;
  if (!unsent || !retrySend || !discardSend)
    throw new UnsupportedError('RoomKey: this extension keeps no messages to send later.');
  return {
    unsent: unsent.bind(session),
    retrySend: retrySend.bind(session),
    discardSend: discardSend.bind(session),
  };
}

/**
 * Runs one request for `frame` and returns its result (or throws a typed error).
 * @example await handleRequest(ctx, frame, { id: 'r1', method: 'listRooms', params: {} }, () => undefined);
 */
export async function handleRequest(
  ctx: HandlerContext,
  frame: Frame,
  request: BridgeRequest,
  progress: (progress: HistoryProgress) => void,
): Promise<unknown> {
  const { caller } = frame;
  const { account, gate } = ctx;
  const readNeed = caller.kind === 'site' && caller.frame === 'sealed' ? 'sealed' : 'read';

  switch (request.method) {
    case 'hello':
      return { versions: [BRIDGE_VERSION] };
    case 'connect':
      // A sealed frame is approved room by room (its first room request asks).
      if (!(caller.kind === 'site' && caller.frame === 'sealed')) await gate.site(caller);
      ctx.updateFrame({ connected: true });
      return stateSnapshot(account.state);
    case 'signUp':
    case 'signIn':
      extensionUiOnly(caller, gate);
      return account[request.method](request.params);
    case 'signOut':
      extensionUiOnly(caller, gate);
      await account.signOut();
      await ctx.signedOut();
      return null;
    case 'lock':
      // Sites may lock: it only takes access away (at worst the user unlocks in the extension).
      if (caller.kind === 'site' && caller.frame === 'page') gate.requireSite(caller);
      await account.lock();
      return null;
    case 'unlock':
      extensionUiOnly(caller, gate);
      await account.unlock(request.params.password);
      return null;
    case 'openSignIn': {
      if (caller.kind === 'site' && caller.frame === 'page') gate.requireSite(caller);
      // Signed in and unlocked: nothing to show (sign-out is in the popup, never asked by a site).
      if (account.state.keys === 'ready') return null;
      const site = caller.kind === 'site' ? caller.origin : null;
      // Only a page names a gateway (its data-gateway); a sealed frame is ours and suggests none.
      const gateway = caller.kind === 'site' && caller.frame === 'page' ? request.params.gateway : null;
      await ctx.openSignIn({ site, gateway });
      return null;
    }
    case 'listRooms': {
      if (caller.kind === 'site' && caller.frame === 'page') gate.requireSite(caller);
      const rooms = await account.session().listRooms();
      return rooms.flatMap((r) => visibleRoom(r, frameKind(caller), gate.accessOf(caller, r.roomId)) ?? []);
    }
    case 'createRoom': {
      sealedMay(caller, 'create rooms');
      gate.requireSite(caller);
      const room = await account.session().createRoom(request.params.name);
      // The user created it on this site: the site may read it.
      if (caller.kind === 'site') {
        await ctx.approvals.grantRoom(caller.origin, room.roomId, 'read');
        // The session announced the room before the grant, when this site could not see it yet.
        await ctx.roomsChanged();
      }
      return room;
    }
    case 'invite': {
      // Room access lets a site ask; only the user's confirmation of this one act lets it happen.
      const { roomId, username, shareHistory } = request.params;
      await gate.room(caller, roomId, readNeed);
      await gate.confirm(caller, roomId, { kind: 'invite', username, shareHistory });
      return account.session().invite(roomId, username, { shareHistory });
    }
    case 'removeMember': {
      const { roomId, userId } = request.params;
      await gate.room(caller, roomId, readNeed);
      const username = await memberName(account, roomId, userId);
      await gate.confirm(caller, roomId, { kind: 'remove', userId, username });
      return account.session().removeMember(roomId, userId);
    }
    case 'send':
      await gate.room(caller, request.params.roomId, readNeed);
      return account.session().send(request.params.roomId, request.params.text);
    case 'sendEvent':
      // A reply, edit, delete or reaction is a message: the access that sends one sends it.
      await gate.room(caller, request.params.roomId, readNeed);
      return sendEvent(account.session(), request.params);
    case 'unsent':
      await gate.room(caller, request.params.roomId, readNeed);
      return (await account.session().unsent?.(request.params.roomId)) ?? [];
    case 'retrySend':
      await gate.room(caller, request.params.roomId, readNeed);
      return outboxOf(account.session()).retrySend(request.params.roomId, request.params.messageId);
    case 'discardSend':
      await gate.room(caller, request.params.roomId, readNeed);
      await outboxOf(account.session()).discardSend(request.params.roomId, request.params.messageId);
      return null;
    case 'hiddenRooms':
    case 'setRoomHidden': {
      if (caller.kind === 'site' && caller.frame === 'page') gate.requireSite(caller);
      const session = account.session();
      if (!session.hiddenRooms || !session.setRoomHidden)
        throw new UnsupportedError('RoomKey: this extension cannot hide rooms yet.');
      if (request.method === 'setRoomHidden') await gate.room(caller, request.params.roomId, readNeed);
      const all =
        request.method === 'setRoomHidden'
          ? await session.setRoomHidden(request.params.roomId, request.params.hidden)
          : await session.hiddenRooms();
      // A site learns nothing of rooms it may not reach, hidden or not.
      return all.filter((roomId) => gate.accessOf(caller, roomId) !== undefined);
    }
    case 'history': {
      const { roomId, limit, membership } = request.params;
      await gate.room(caller, roomId, readNeed);
      return account.session().history(roomId, {
        ...(limit ? { limit } : {}),
        ...(membership ? { membership } : {}),
        onProgress: progress,
      });
    }
    case 'focusRoom': {
      const { roomId } = request.params;
      // Focus never asks: the room was approved by the request that loaded it.
      if (roomId !== null && gate.accessOf(caller, roomId) === undefined) {
        throw new NotApprovedError('RoomKey: this site is not approved for that room.');
      }
      ctx.updateFrame({ focusedRoom: roomId });
      if (roomId && caller.kind === 'site' && frame.url) {
        await ctx.approvals.rememberUrl(caller.origin, roomId, frame.url);
      }
      return null;
    }
    case 'requestRoom': {
      const need = readNeed === 'sealed' ? 'sealed' : request.params.access;
      const access = await gate.room(caller, request.params.roomId, need);
      return { access };
    }
    case 'sealedRoomUrl':
      await gate.room(caller, request.params.roomId, 'sealed');
      return { url: ctx.sealedRoomUrl(request.params.roomId) };
    // Contacts (lib/contact-trust.ts): a site reads its rooms' members' trust and may ask for the
    // verify window; only the extension's own UI changes trust (the user confirms there).
    case 'contacts': {
      const { userIds } = request.params;
      if (caller.kind === 'site' && caller.frame === 'page') gate.requireSite(caller);
      mayAskAbout(gate, caller, await account.session().listRooms(), userIds);
      return trustOf(account.session()).contacts(userIds);
    }
    case 'openVerifyContact': {
      const { userId } = request.params;
      if (caller.kind === 'site' && caller.frame === 'page') gate.requireSite(caller);
      mayAskAbout(gate, caller, await account.session().listRooms(), [userId]);
      await ctx.openVerify({ site: caller.kind === 'site' ? caller.origin : null, userId });
      return null;
    }
    case 'verifyContact':
      extensionUiOnly(caller, gate, CONTACT_TRUST_REFUSAL);
      return trustOf(account.session()).verifyContact(
        request.params.userId,
        request.params.scanned ?? undefined,
      );
    case 'unverifyContact':
      extensionUiOnly(caller, gate, CONTACT_TRUST_REFUSAL);
      return trustOf(account.session()).unverifyContact(request.params.userId);
    case 'acceptKeyChange':
      extensionUiOnly(caller, gate, CONTACT_TRUST_REFUSAL);
      return trustOf(account.session()).acceptKeyChange(request.params.userId);
  }
}
