/**
 * THE CONTRACT of `RoomKeyClient` (core/client/client-api.ts), written once and run against every
 * client: `InPageClient` and the page's `ExtensionClient` against the real stack (e2e), the
 * extension's background (Hub, Account, loopback SDK) behind a `BridgeClient` (unit), and the
 * component tests' fakes `FakeRoomKeyClient` / `FakeExtensionClient` (browser), so a fake cannot
 * promise what the real clients do not do. It runs in Node and in Chromium unchanged: no test
 * framework inside (the runner passes `describe`/`it`), portable assertions only.
 *
 * One user goes through one story, step by step, in order: signed out → sign-up → a room → an
 * invite → messages both ways → history → a removal → lock → unlock → sign-out → sign-in. The
 * runner gives a fresh client and what only it can do (`ContractSubject`): the extension's own
 * UI (passwords are typed only there), a second user on the same deployment, the confirmation
 * an invite or removal asks. Where the two hosts differ, `HOST_RULES` says how, and each row is
 * asserted exactly.
 * @example runClientContract('FakeRoomKeyClient', async () => fakeSubject(), { describe, it, before, after });
 */
import type {
  RoomKeyClient,
  RoomSummary,
  SentMessage,
  Session,
  StoredMessage,
} from '../../components/client/types.ts';
import { NotApprovedError } from '../../core/bridge/index.ts';
import {
  BadCredentialsError,
  ConflictError,
  LockedError,
  NotFoundError,
  type RoomKeyError,
} from '../../core/errors.ts';
import { AssertionError, equal, ok } from '../helpers/assert.ts';
import { checkEvents, EventLog } from './_event-log.ts';
import {
  CONNECTION_STATES,
  checkRoom,
  checkSession,
  checkStored,
  extensionOnly,
  refused,
  sameMembers,
  sameSession,
} from './_shapes.ts';

/** Where the client runs: core in the page, or the extension behind the page. */
export type HostMode = 'in-page' | 'extension';

type ErrorClass = abstract new (...args: never[]) => RoomKeyError;

/** What differs between the hosts today, each asserted exactly (one runtime should shrink this). */
export interface HostRules {
  /** Where sign-up, sign-in, unlock and sign-out happen: the client's own methods, or only the extension's UI. */
  accounts: 'client' | 'extension-ui';
  /** A call that needs an account, made before any sign-in. */
  notSignedIn: ErrorClass;
  /** The same after a sign-out (the extension forgets the site's approvals with the account). */
  afterSignOut: ErrorClass;
  /** How many `message` events a page hears for its own send (the extension tells every tab). */
  ownMessageEvents: 0 | 1;
  /** A wrong password on unlock (accounts 'client' only). */
  wrongUnlock: ErrorClass;
  /** After a sign-out and sign-in: the room is listed again, or only once the site is granted it again. */
  roomAfterSignIn: 'listed' | 'granted-again';
}

export const HOST_RULES: Record<HostMode, HostRules> = {
  'in-page': {
    accounts: 'client',
    notSignedIn: LockedError,
    afterSignOut: LockedError,
    ownMessageEvents: 0,
    wrongUnlock: BadCredentialsError,
    roomAfterSignIn: 'listed',
  },
  extension: {
    accounts: 'extension-ui',
    notSignedIn: NotFoundError,
    afterSignOut: NotApprovedError,
    ownMessageEvents: 1,
    wrongUnlock: BadCredentialsError,
    roomAfterSignIn: 'granted-again',
  },
};

/** The user at the extension's own windows (popup, sign-in window): the only place a password is typed. */
export interface ExtensionUi {
  /** Signs up there; the page hears it only as `session` and `keys` events. */
  signUp(username: string, password: string): Promise<void>;
  /** Signs in there, after a sign-out (and lets the site use RoomKey again, as the user would). */
  signIn(username: string, password: string): Promise<void>;
  unlock(password: string): Promise<void>;
  signOut(): Promise<void>;
}

/** A second user on the same deployment, with an account, signed in elsewhere. */
export interface Peer {
  username: string;
  /** Sends `text` to `roomId` as the peer, once the client has invited them (waits until they see it). */
  send(roomId: string, text: string): Promise<void>;
}

/** What the runner gives the contract. */
export interface ContractSubject {
  mode: HostMode;
  /** A fresh client: nothing on this device, signed out (with the extension: the site approved). */
  client: RoomKeyClient;
  /** The user, for the account steps (a new account on this deployment). */
  user: { username: string; password: string };
  peer: Peer;
  /** Mode 'extension': the extension's own UI. */
  extension?: ExtensionUi;
  /** Answers the confirmation an invite or a removal asks for (the extension asks the user each time). */
  confirmMembership?(): Promise<void>;
  /** How long to wait for an event (default 15 s; the extension's Argon2id needs more). */
  timeoutMs?: number;
  close?(): Promise<void>;
}

/** The test framework's functions (node:test's and mocha's have these shapes). */
export interface TestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<void>): unknown;
  before(fn: () => Promise<void>): unknown;
  after(fn: () => Promise<void>): unknown;
}

/** Long enough to see an event that should not come. */
const QUIET_MS = 600;

/** The story's state, shared by the steps in order. */
class Story {
  readonly subject: ContractSubject;
  readonly rules: HostRules;
  readonly log: EventLog;
  readonly timeoutMs: number;
  session: Session | undefined;
  room: RoomSummary | undefined;
  peerUserId = '';
  sent: SentMessage | undefined;
  heard: StoredMessage | undefined;

  constructor(subject: ContractSubject) {
    this.subject = subject;
    this.rules = HOST_RULES[subject.mode];
    this.log = new EventLog(subject.client);
    this.timeoutMs = subject.timeoutMs ?? 15_000;
  }

  get client(): RoomKeyClient {
    return this.subject.client;
  }

  get ui(): ExtensionUi {
    const ui = this.subject.extension;
    if (!ui) throw new AssertionError('mode "extension" needs the runner to play the extension UI');
    return ui;
  }

  get roomId(): string {
    if (!this.room) throw new AssertionError('no room yet');
    return this.room.roomId;
  }

  /** Runs a membership act, answering the confirmation the client asks for. */
  async confirmed<T>(act: () => Promise<T>): Promise<T> {
    const pending = act();
    pending.catch(() => undefined); // awaited below, after the answer
    await this.subject.confirmMembership?.();
    return pending;
  }

  /** Waits until the state events say `keys` (and, when given, who). */
  async waitForState(mark: number, keys: string, username?: string | null): Promise<void> {
    await this.log.waitFor(mark, `keys "${keys}"`, () => this.client.keys === keys, this.timeoutMs);
    if (username === undefined) return;
    await this.log.waitFor(
      mark,
      `session ${username}`,
      () => (this.client.session?.username ?? null) === username,
      this.timeoutMs,
    );
  }

  async quiet(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  }
}

export interface ContractStep {
  name: string;
  run(story: Story): Promise<void>;
}

/** The steps, in order. */
export const CLIENT_CONTRACT: readonly ContractStep[] = [
  {
    name: 'starts signed out; says which host it is; account-bound calls are refused, typed',
    async run(s) {
      const { client } = s;
      equal(client.keys, 'signed-out');
      equal(client.session, null);
      ok(CONNECTION_STATES.includes(client.connection), `connection ${client.connection}`);
      const extension = s.rules.accounts === 'extension-ui';
      equal(typeof client.openSignIn === 'function', extension, 'openSignIn only with the extension');
      equal(typeof client.sealedRoomUrl === 'function', extension, 'sealedRoomUrl only with the extension');
      await refused(() => client.listRooms(), s.rules.notSignedIn, 'listRooms before sign-in');
      await refused(() => client.createRoom('too early'), s.rules.notSignedIn, 'createRoom before sign-in');
      equal(client.focusRoom(null), undefined, 'focusRoom is fire and forget');
      equal(client.keys, 'signed-out');
    },
  },
  {
    name: 'refuses account calls it may not make (a taken name, a wrong password; with the extension: all of them)',
    async run(s) {
      const { client, subject } = s;
      const mark = s.log.mark();
      if (s.rules.accounts === 'extension-ui') {
        // Nothing is sent: a password handed to a page's client goes nowhere.
        await extensionOnly(() => client.signUp(subject.user.username, subject.user.password), 'signUp');
        await extensionOnly(() => client.signIn(subject.user.username, subject.user.password), 'signIn');
        await extensionOnly(() => client.unlock(subject.user.password), 'unlock');
        await extensionOnly(() => client.signOut(), 'signOut');
      } else {
        await refused(
          () => client.signUp(subject.peer.username, 'a password long enough'),
          ConflictError,
          'a taken username',
        );
        await refused(
          () => client.signIn(subject.peer.username, 'not the peer password'),
          BadCredentialsError,
          'a wrong password',
        );
      }
      equal(client.keys, 'signed-out', 'still signed out');
      equal(s.log.since(mark, 'keys').length + s.log.since(mark, 'session').length, 0, 'no state events');
    },
  },
  {
    name: 'signs up: the session is set before keys become ready',
    async run(s) {
      const { client, subject } = s;
      const { username, password } = subject.user;
      const mark = s.log.mark();
      if (s.rules.accounts === 'extension-ui') {
        await client.openSignIn!();
        await s.ui.signUp(username, password);
        await s.waitForState(mark, 'ready', username);
      } else {
        const session = await client.signUp(username, password);
        checkSession(session, 'signUp');
        equal(session.username, username);
        ok(sameSession(client.session, session), 'the getter says who signed up');
      }
      equal(client.keys, 'ready');
      const session = client.session;
      ok(session, 'signed in');
      equal(session.username, username);
      await s.log.waitFor(
        mark,
        'a session event',
        (e) => e.type === 'session' && e.detail !== null,
        s.timeoutMs,
      );
      await s.log.waitFor(
        mark,
        'keys "ready"',
        (e) => e.type === 'keys' && e.detail === 'ready',
        s.timeoutMs,
      );
      s.session = { ...session };
    },
  },
  {
    name: 'creates a room: its summary, a rooms event, listRooms',
    async run(s) {
      const { client } = s;
      const mark = s.log.mark();
      const room = await client.createRoom('Contract room');
      checkRoom(room, 'createRoom');
      equal(room.name, 'Contract room');
      equal(room.epoch, 0);
      equal(room.status, 'member');
      equal(room.unread, 0);
      equal(
        JSON.stringify(room.members.map(({ userId, username }) => ({ userId, username }))),
        JSON.stringify([{ userId: s.session!.userId, username: s.session!.username }]),
      );
      // Roles are said where the host knows the default policy (the unit loopback does not): the
      // creator owns the room.
      const role = room.members[0]!.role;
      ok(role === undefined || role === 'owner', `the creator's role: ${role}`);
      s.room = room;
      await s.log.waitFor(
        mark,
        'a rooms event with the new room',
        (e) => e.type === 'rooms' && (e.detail as RoomSummary[]).some((r) => r.roomId === room.roomId),
        s.timeoutMs,
      );
      const listed = (await client.listRooms()).find((r) => r.roomId === room.roomId);
      ok(listed, 'listRooms has it');
      equal(listed.name, 'Contract room');
      equal(listed.status, 'member');
    },
  },
  {
    name: 'invites: an unknown user is NotFoundError; the peer joins at a new key version',
    async run(s) {
      const { client, subject } = s;
      const before = s.room!;
      await refused(
        () => s.confirmed(() => client.invite(before.roomId, 'nobody-such-user-42')),
        NotFoundError,
        'inviting an unknown user',
      );
      const mark = s.log.mark();
      const room = await s.confirmed(() => client.invite(before.roomId, subject.peer.username));
      checkRoom(room, 'invite');
      equal(room.roomId, before.roomId);
      equal(room.epoch, before.epoch + 1, 'every membership change opens a new epoch');
      sameMembers(room, [s.session!.username, subject.peer.username], 'members after the invite');
      s.peerUserId = room.members.find((m) => m.username === subject.peer.username)!.userId;
      s.room = room;
      await s.log.waitFor(
        mark,
        'a rooms event with the peer',
        (e) =>
          e.type === 'rooms' &&
          (e.detail as RoomSummary[]).some(
            (r) => r.roomId === room.roomId && r.members.some((m) => m.userId === s.peerUserId),
          ),
        s.timeoutMs,
      );
    },
  },
  {
    name: 'sends: the result is this user’s stored message; own-message events as the host says',
    async run(s) {
      const { client } = s;
      const mark = s.log.mark();
      const text = 'hello from the contract';
      const sent = await client.send(s.roomId, text);
      checkStored(sent, 'send');
      equal(sent.status, 'sent');
      equal(sent.own, true);
      equal(sent.roomId, s.roomId);
      equal(sent.text, text);
      equal(sent.senderUserId, s.session!.userId);
      equal(sent.senderUsername, s.session!.username);
      equal(sent.epoch, s.room!.epoch, 'sent at the room’s current key version');
      ok(Math.abs(sent.sentAtMs - Date.now()) < 10 * 60_000, 'sent now');
      s.sent = sent;
      const own = () =>
        s.log.since(mark, 'message').filter((e) => (e.detail as StoredMessage).messageId === sent.messageId);
      if (s.rules.ownMessageEvents > 0) {
        await s.log.waitFor(mark, 'the own-message event', (e) => own().includes(e), s.timeoutMs);
        const detail = own()[0]!.detail as StoredMessage;
        equal(detail.status, 'sent');
        equal(detail.own, true);
      }
      await s.quiet();
      equal(own().length, s.rules.ownMessageEvents, 'message events for one’s own send');
    },
  },
  {
    name: 'hears the peer: a message event; no notification for the room on screen',
    async run(s) {
      const { client, subject } = s;
      equal(client.focusRoom(s.roomId), undefined);
      const mark = s.log.mark();
      const text = 'hello from the peer';
      await subject.peer.send(s.roomId, text);
      const event = await s.log.waitFor(
        mark,
        'the peer’s message',
        (e) => e.type === 'message' && (e.detail as StoredMessage).status === 'received',
        s.timeoutMs,
      );
      const heard = event.detail as StoredMessage;
      if (heard.status !== 'received') throw new AssertionError('not received');
      equal(heard.roomId, s.roomId);
      equal(heard.text, text);
      equal(heard.own, false);
      equal(heard.senderUsername, subject.peer.username);
      equal(heard.senderUserId, s.peerUserId);
      equal(heard.epoch, s.room!.epoch);
      s.heard = heard;
      await s.quiet();
      equal(
        s.log.since(mark, 'notification').filter((e) => (e.detail as { roomId: string }).roomId === s.roomId)
          .length,
        0,
        'no notification for the room on screen',
      );
    },
  },
  {
    name: 'reads history: oldest first, with progress, the invite as a row; limit keeps the latest',
    async run(s) {
      const { client, subject } = s;
      const progress: { loaded: number; total?: number }[] = [];
      const list = await client.history(s.roomId, {
        membership: true,
        onProgress: (p) => progress.push({ ...p }),
      });
      for (const [i, m] of list.entries()) checkStored(m, `history[${i}]`);
      // The invite is a row of the history too, where it was stored: before both messages.
      const [invited, ...messages] = list;
      if (invited?.status !== 'membership') throw new AssertionError('the invite is the first row');
      equal(invited.change, 'added');
      equal(invited.own, true);
      equal(invited.byUserId, s.session!.userId);
      equal(invited.users.map((u) => u.username).join(','), subject.peer.username, 'whom the invite added');
      equal(messages.map((m) => m.messageId).join(','), [s.sent!.messageId, s.heard!.messageId].join(','));
      const [mine, theirs] = messages;
      equal(mine!.status, 'sent');
      equal(theirs!.status, 'received');
      ok(progress.length > 0, 'progress was reported');
      for (const [i, p] of progress.entries()) {
        ok(p.loaded >= (progress[i - 1]?.loaded ?? 0), 'loaded never goes back');
        ok(p.total === undefined || p.total >= p.loaded, `loaded ${p.loaded} of ${p.total}`);
      }
      const last = progress.at(-1)!;
      ok(last.loaded >= messages.length, `the last progress (${last.loaded}) covers what came back`);
      if (last.total !== undefined) equal(last.loaded, last.total, 'progress ends complete');
      const plain = await client.history(s.roomId);
      equal(
        plain.map((m) => m.messageId).join(','),
        [s.sent!.messageId, s.heard!.messageId].join(','),
        'membership rows only when asked',
      );
      const latest = await client.history(s.roomId, { limit: 1 });
      equal(latest.map((m) => m.messageId).join(','), s.heard!.messageId, 'limit 1: the latest message');
    },
  },
  {
    name: 'removes the peer: a new key version without them',
    async run(s) {
      const { client } = s;
      const before = s.room!;
      const mark = s.log.mark();
      const room = await s.confirmed(() => client.removeMember(before.roomId, s.peerUserId));
      checkRoom(room, 'removeMember');
      equal(room.epoch, before.epoch + 1, 'a removal opens a new epoch');
      sameMembers(room, [s.session!.username], 'members after the removal');
      s.room = room;
      await s.log.waitFor(
        mark,
        'a rooms event without the peer',
        (e) =>
          e.type === 'rooms' &&
          (e.detail as RoomSummary[]).some(
            (r) => r.roomId === room.roomId && !r.members.some((m) => m.userId === s.peerUserId),
          ),
        s.timeoutMs,
      );
    },
  },
  {
    name: 'locks: keys "locked", the same session, calls refused with LockedError',
    async run(s) {
      const { client } = s;
      const mark = s.log.mark();
      await client.lock();
      await s.waitForState(mark, 'locked');
      ok(sameSession(client.session, s.session!), 'a locked client still says who');
      await refused(() => client.listRooms(), LockedError, 'listRooms while locked');
      await refused(() => client.send(s.roomId, 'locked out'), LockedError, 'send while locked');
      equal(client.focusRoom(null), undefined);
    },
  },
  {
    name: 'unlocks (with the extension: only in its window), the same user again',
    async run(s) {
      const { client, subject } = s;
      const mark = s.log.mark();
      if (s.rules.accounts === 'extension-ui') {
        await extensionOnly(() => client.unlock(subject.user.password), 'unlock');
        await client.openSignIn!();
        await s.ui.unlock(subject.user.password);
        await s.waitForState(mark, 'ready', subject.user.username);
      } else {
        await refused(
          () => client.unlock('not the password at all'),
          s.rules.wrongUnlock,
          'a wrong password',
        );
        equal(client.keys, 'locked', 'a wrong password leaves it locked');
        await client.unlock(subject.user.password);
      }
      equal(client.keys, 'ready');
      ok(sameSession(client.session, s.session!), 'the same user');
      ok(
        (await client.listRooms()).some((r) => r.roomId === s.roomId),
        'the room is back',
      );
    },
  },
  {
    name: 'signs out: keys go before the session; calls refused as the host says',
    async run(s) {
      const { client } = s;
      const mark = s.log.mark();
      if (s.rules.accounts === 'extension-ui') {
        await extensionOnly(() => client.signOut(), 'signOut from the page');
        equal(client.keys, 'ready', 'a page cannot sign the user out');
        await s.ui.signOut();
      } else {
        await client.signOut();
      }
      await s.waitForState(mark, 'signed-out', null);
      // Keys before the session: whoever hears the session go finds the keys gone already.
      const gone = s.log.since(mark).find((e) => e.type === 'session' && e.detail === null);
      ok(gone, `a session event: ${s.log.describe(mark)}`);
      equal(gone.state.keys, 'signed-out', 'keys when the session goes');
      ok(
        s.log.since(mark).some((e) => e.type === 'keys' && e.detail === 'signed-out'),
        'a keys event says signed out',
      );
      await refused(() => client.listRooms(), s.rules.afterSignOut, 'listRooms after sign-out');
    },
  },
  {
    name: 'signs in again: the same user; the room as the host says',
    async run(s) {
      const { client, subject } = s;
      const { username, password } = subject.user;
      const mark = s.log.mark();
      if (s.rules.accounts === 'extension-ui') {
        await s.ui.signIn(username, password);
        await s.waitForState(mark, 'ready', username);
      } else {
        const session = await client.signIn(username, password);
        ok(sameSession(session, s.session!), 'signIn resolves with the same user');
      }
      equal(client.keys, 'ready');
      ok(sameSession(client.session, s.session!), 'the same user id');
      const listed = (await client.listRooms()).some((r) => r.roomId === s.roomId);
      equal(listed, s.rules.roomAfterSignIn === 'listed', 'the room after signing in again');
    },
  },
];

/**
 * A contract run over one subject: `run(name)` plays one step (in order); a step after a failed
 * one fails at once, naming it. Every step ends with the checks every event must pass.
 * @example const run = startContract(subject); for (const step of CLIENT_CONTRACT) await run.step(step.name);
 */
export function startContract(subject: ContractSubject): {
  step(name: string): Promise<void>;
  close(): Promise<void>;
} {
  const story = new Story(subject);
  let failed: string | undefined;
  return {
    async step(name) {
      if (failed) throw new AssertionError(`skipped: the step "${failed}" failed`);
      const step = CLIENT_CONTRACT.find((s) => s.name === name);
      if (!step) throw new AssertionError(`no contract step "${name}"`);
      try {
        await step.run(story);
        checkEvents(story.log.entries);
      } catch (error) {
        failed = name;
        throw error;
      }
    },
    async close() {
      story.log.close();
      await subject.close?.();
    },
  };
}

/**
 * Registers the contract as tests: one `it` per step, in order, on a subject `start()` makes.
 * @example runClientContract('FakeRoomKeyClient', fakeSubject, { describe, it, before, after });
 */
export function runClientContract(title: string, start: () => Promise<ContractSubject>, t: TestApi): void {
  t.describe(`RoomKeyClient contract: ${title}`, () => {
    let run: ReturnType<typeof startContract> | undefined;
    t.before(async () => {
      run = startContract(await start());
    });
    t.after(async () => {
      await run?.close();
    });
    for (const step of CLIENT_CONTRACT) {
      t.it(step.name, async () => {
        if (!run) throw new AssertionError('the subject did not start');
        await run.step(step.name);
      });
    }
  });
}
