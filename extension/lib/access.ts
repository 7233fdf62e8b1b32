/**
 * The approval gate every request passes: what a caller may see of a room right now (no
 * question), and, where the design allows, asking the user first. Each grant allows exactly what
 * its question said:
 * - the site (asked by `connect`): account state, the rooms approved for it, creating rooms;
 * - a room `read`: the page reads and sends in that room;
 * - a room `sealed` (asked by the extension's frame inside the site): the frame shows the room;
 *   the site's page gets nothing from it, not even an approval of the site;
 * - a membership change (invite, remove): never granted, confirmed by the user for each one
 *   (`confirm`), from a page or a sealed frame alike: a member added with history keeps it after
 *   the site's approval is gone, and a host page can clickjack clicks inside the sealed frame.
 * Unapproved requests fail with NotApprovedError and carry no data.
 * @example await gate.room(caller, roomId, 'read');
 */
import { NotApprovedError, type RoomAccess } from '../../core/bridge/index.ts';
import type { ApprovalPrompts } from './approval-prompts.ts';
import type { ApprovalStore, RoomDecision } from './approvals.ts';
import type { ManageAct } from './messages.ts';
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

/** What the user was asked to confirm, for the refusal. */
function described(act: ManageAct): string {
  const who = act.kind === 'invite' ? act.username : (act.username ?? 'that member');
  return act.kind === 'invite' ? `adding ${who} to this room` : `removing ${who} from this room`;
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

  /**
   * Whether the caller may hear the account state: the extension's pages; a site's page once the
   * site is approved; a sealed frame (the extension's own UI, which shows only the rooms granted
   * to it) unless its site is blocked.
   */
  siteGranted(caller: Caller): boolean {
    if (caller.kind === 'extension') return true;
    const site = this.#approvals.site(caller.origin);
    return caller.frame === 'sealed' ? site !== 'denied' : site === 'granted';
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
      const site = this.#approvals.site(origin);
      if (site === 'denied' || decision === 'denied') throw notApproved(origin, 'for this room');
      // A page gets nothing before its site is approved, not even a room its sealed frame shows.
      if (frame === 'page' && site !== 'granted') throw notApproved(origin, 'to use RoomKey (connect first)');
      if (satisfies(decision, need, frame)) return decision as RoomAccess;
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
    if (satisfies(decision, need, frame) && this.accessOf(caller, roomId) !== undefined) {
      return decision as RoomAccess;
    }
    throw notApproved(origin, 'for this room');
  }

  /**
   * For a membership change: asks the user to confirm this one act (the extension's own pages
   * need no confirmation). Resolves only on "Allow"; the answer is never remembered. The caller
   * must already have access to the room (`room()`).
   */
  async confirm(caller: Caller, roomId: string, act: ManageAct): Promise<void> {
    if (caller.kind === 'extension') return;
    const { origin, frame } = caller;
    const blocked = () => this.#approvals.site(origin) === 'denied';
    if (blocked()) throw notApproved(origin, 'to use RoomKey');
    const roomName = await this.#roomName(roomId).catch(() => null);
    const outcome = await this.#prompts.ask(
      { origin, roomId, access: null, roomName, act, frame },
      {
        // Queued behind another question of the site: a block or a revoke meanwhile ends it.
        stillNeeded: () => !blocked() && this.accessOf(caller, roomId) !== undefined,
        apply: async (o) => {
          if (o === 'block') await this.#approvals.denySite(origin);
        },
      },
    );
    if (outcome !== 'allow') {
      throw new NotApprovedError(
        `RoomKey: ${described(act)} was not confirmed in the RoomKey window (declined, closed or timed out). ` +
          'Ask again and choose Allow there if you want it.',
      );
    }
  }
}
