/**
 * The approval gate every request passes: what a caller may see of a room right now (no
 * question), and, where the design allows, asking the user first. A site's page asks for the site
 * only through `connect`; once the site is approved, its first request for a room asks "site X
 * wants room Y". A sealed frame's first request for its room asks for `sealed` access (which also
 * approves the site). Unapproved requests fail with NotApprovedError and carry no data.
 * @example await gate.room(caller, roomId, 'read');
 */
import { NotApprovedError, type RoomAccess } from '../../components/client/bridge-protocol.ts';
import type { ApprovalPrompts } from './approval-prompts.ts';
import type { ApprovalStore, RoomDecision } from './approvals.ts';
import type { Caller } from './origin.ts';

/** A caller's access to a room: `all` for the extension's own pages. */
export type Access = RoomAccess | 'all' | undefined;

/** At most this many rounds of asking per request (an earlier answer of the same site may settle it). */
const MAX_ROUNDS = 4;

function notApproved(origin: string, what: string): NotApprovedError {
  return new NotApprovedError(
    `RoomKey: ${origin} is not approved ${what}. The user decides in the RoomKey extension.`,
  );
}

/** Whether `decision` gives a frame of this kind what it needs. */
function satisfies(decision: RoomDecision | undefined, need: RoomAccess, frame: 'page' | 'sealed'): boolean {
  if (decision === undefined || decision === 'denied') return false;
  if (frame === 'sealed') return true;
  return need === 'sealed' || decision === 'read';
}

export class AccessGate {
  readonly #approvals: ApprovalStore;
  readonly #prompts: ApprovalPrompts;
  readonly #roomName: (roomId: string) => Promise<string | null>;

  constructor(deps: {
    approvals: ApprovalStore;
    prompts: ApprovalPrompts;
    /** The room's name for the question, when the session knows it. */
    roomName: (roomId: string) => Promise<string | null>;
  }) {
    this.#approvals = deps.approvals;
    this.#prompts = deps.prompts;
    this.#roomName = deps.roomName;
  }

  /** Whether the caller's site is approved (the extension's pages always are). */
  siteGranted(caller: Caller): boolean {
    return caller.kind === 'extension' || this.#approvals.site(caller.origin) === 'granted';
  }

  /** The caller's access to the room now, without asking. */
  accessOf(caller: Caller, roomId: string): Access {
    if (caller.kind === 'extension') return 'all';
    if (!this.siteGranted(caller)) return undefined;
    return this.#approvals.roomAccess(caller.origin, roomId);
  }

  /** NotApprovedError unless the site is already approved. */
  requireSite(caller: Caller): void {
    if (!this.siteGranted(caller) && caller.kind === 'site') {
      throw notApproved(caller.origin, 'to use RoomKey (connect first)');
    }
  }

  /** For `connect`: the site must be approved; asks the user when it never answered. */
  async site(caller: Caller): Promise<void> {
    if (caller.kind === 'extension') return;
    const { origin } = caller;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const decision = this.#approvals.site(origin);
      if (decision === 'granted') return;
      if (decision === 'denied') throw notApproved(origin, 'to use RoomKey');
      const outcome = await this.#prompts.ask(
        { origin, roomId: null, access: null, roomName: null },
        {
          stillNeeded: () => this.#approvals.site(origin) === undefined,
          apply: async (o) => {
            if (o === 'allow') await this.#approvals.grantSite(origin);
            else if (o === 'deny' || o === 'block') await this.#approvals.denySite(origin);
          },
        },
      );
      if (outcome === 'dismiss') throw notApproved(origin, 'to use RoomKey (the question was closed)');
    }
    if (this.#approvals.site(origin) !== 'granted') throw notApproved(origin, 'to use RoomKey');
  }

  /**
   * For a request about a room: returns the access the caller has, asking the user first when
   * the design allows it (see the file comment).
   */
  async room(caller: Caller, roomId: string, need: RoomAccess): Promise<RoomAccess> {
    if (caller.kind === 'extension') return 'read';
    const { origin, frame } = caller;
    const current = (): RoomDecision | undefined => this.#approvals.room(origin, roomId);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const decision = current();
      if (satisfies(decision, need, frame)) return decision as RoomAccess;
      const site = this.#approvals.site(origin);
      if (site === 'denied' || decision === 'denied') throw notApproved(origin, 'for this room');
      if (frame === 'page' && site !== 'granted') throw notApproved(origin, 'to use RoomKey (connect first)');
      if (frame === 'page' && need === 'read' && this.#approvals.readDenied(origin, roomId)) {
        throw notApproved(origin, 'to read this room (it may only show it sealed)');
      }
      const roomName = await this.#roomName(roomId).catch(() => null);
      const outcome = await this.#prompts.ask(
        { origin, roomId, access: need, roomName },
        {
          stillNeeded: () => {
            const now = current();
            return (
              !satisfies(now, need, frame) && now !== 'denied' && this.#approvals.site(origin) !== 'denied'
            );
          },
          apply: async (o) => {
            if (o === 'allow') await this.#approvals.grantRoom(origin, roomId, need);
            else if (o === 'deny') await this.#approvals.denyRoom(origin, roomId);
            else if (o === 'block') await this.#approvals.denySite(origin);
          },
        },
      );
      if (outcome === 'dismiss') throw notApproved(origin, 'for this room (the question was closed)');
    }
    const decision = current();
    if (satisfies(decision, need, frame)) return decision as RoomAccess;
    throw notApproved(origin, 'for this room');
  }
}
