/**
 * The room state machine every host shares (gateway tools, extension, service worker, in-page
 * client). No transport inside: the caller publishes what it builds and feeds in what arrives.
 *
 * Checks on receive, in order: envelope shape → sender device certified for the sender user →
 * epoch known (else held) → sender a member at that epoch → device signature → not a replay (by
 * position: a replaced epoch only within REPLAY_GRACE_MS of its closing commit, and by id in the
 * open epochs; replay-guard.ts) → decrypt. Rejections are typed errors; nothing of a failed message's plaintext is returned.
 * The device must be valid when JetStream stored the envelope and when its epoch opened (the
 * stored facts each envelope and commit comes with, validity.ts); the sender's `sentAtMs` is shown,
 * never trusted. Without stored facts the device must be valid now.
 * @example const room = await Room.create({ me, directory, roomId, orgId, projectId, nowMs: Date.now() });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { equalBytes, toHex } from '../bytes.ts';
import { encode } from '../codec.ts';
import {
  type BatchVerifier,
  decodeMessageContent,
  decryptEnvelope,
  deriveEpochKeys,
  type EpochKeys,
  type EpochSecretEntry,
  encodeEnvelope,
  encodeMessageContent,
  encodeSigned,
  MESSAGE_ID_BYTES,
  type MessageActionName,
  openRoomInfo,
  openSealedToRoom,
  type ParsedEnvelope,
  parseSealedToRoom,
  type RoomInfo,
  randomBytes,
  type SignedProps,
  sealEnvelope,
  sha256,
  unwrapEpochSecrets,
  verifyEnvelopeSignature,
} from '../crypto/index.ts';
import {
  BadSignatureError,
  ConflictError,
  MalformedError,
  NotMemberError,
  RoomKeyError,
  TooLargeError,
  UnknownEpochError,
} from '../errors.ts';
import { SerialQueue } from '../serial.ts';
import { requireDeviceOf } from './_checks.ts';
import { buildCommit, type CommitKindName, nextMembers, verifyCommitSignature } from './commit.ts';
import { createGenesis, type GenesisInput, type VerifiedGenesis, verifyGenesis } from './genesis.ts';
import { asReceived, asRoomKeyError, parseReceived, type ReceivedEnvelope } from './received.ts';
import { ReplayGuard, type ReplayState, storedPastGrace } from './replay-guard.ts';
import type {
  Directory,
  EpochChange,
  EpochView,
  LocalMember,
  ReceiveResult,
  RoomMessage,
  StoredEnvelope,
  StoredFacts,
} from './types.ts';
import { validityTime } from './validity.ts';
import {
  type BatchOpener,
  isVerifyingBatch,
  type OpenedAhead,
  startVerifying,
  type VerifyingBatch,
} from './verifying.ts';

/**
 * An envelope as it arrives: bare bytes (judged as of now), with the stream's stored facts, or
 * already parsed where it arrived (received.ts: not parsed again).
 */
export type IncomingEnvelope = Uint8Array | StoredEnvelope | ReceivedEnvelope;
/** The stored time of a commit or genesis (its sequence is optional: only the time is judged). */
export type CommitFacts = Pick<StoredFacts, 'storedAtMs'> & Partial<Pick<StoredFacts, 'seq'>>;

/** Envelopes of not-yet-known epochs kept per room; beyond this the oldest are dropped with a status. */
export const MAX_HELD = 10_000;

export const CONTENT_TYPE_TEXT = 1;

/** Not a user id any account can have (ids are non-empty), so an observer is never a member. */
const OBSERVER: LocalMember = {
  userId: '',
  userKeys: { hpkePrivateKey: new Uint8Array(32), hpkePublicKey: new Uint8Array(32) },
  device: { secretKey: new Uint8Array(32), publicKey: new Uint8Array(32) },
};

interface EpochState {
  epoch: number;
  members: string[];
  roomPublicKey: Uint8Array;
  sealedInfo: roomkey.v1.SealedRoomInfo.$Properties | null;
  /** When JetStream stored the Signed that opened this epoch (undefined: not known). */
  openedAtMs: number | undefined;
  /** Its stream sequence (undefined: not known): where the change sits among messages. */
  seq: number | undefined;
  /** Who opened it and how (the genesis: the creator, kind undefined). */
  change: Omit<EpochChange, 'epoch' | 'seq' | 'storedAtMs' | 'renamedTo'> | undefined;
  /** Name and topic accepted for this epoch (undefined: not readable here). */
  info: RoomInfo | undefined;
}

interface HeldEnvelope {
  epoch: number;
  received: ReceivedEnvelope;
  parsed: ParsedEnvelope;
}

export class Room {
  readonly roomId: string;
  readonly genesis: VerifiedGenesis;
  readonly #me: LocalMember;
  readonly #directory: Directory;
  readonly #chain: SignedProps[];
  readonly #epochs: EpochState[];
  readonly #keys = new Map<number, EpochKeys>();
  readonly #secrets = new Map<number, Uint8Array>();
  #replay: ReplayGuard;
  #info: { epoch: number; info: RoomInfo } | undefined;
  readonly #held = new Map<string, HeldEnvelope>();
  #removedAt: number | undefined;
  #lastSeq = 0;
  /** lastSeq counts in the room's per-room stream of before shard streams (an older snapshot's). */
  #lastSeqLegacy = false;
  /** Commits apply one at a time, in order. */
  readonly #commits = new SerialQueue();

  private constructor(
    genesis: VerifiedGenesis,
    signed: SignedProps,
    me: LocalMember,
    directory: Directory,
    openedAtMs: number | undefined,
  ) {
    this.roomId = genesis.roomId;
    this.genesis = genesis;
    this.#me = me;
    this.#directory = directory;
    this.#chain = [signed];
    this.#epochs = [
      {
        epoch: 0,
        members: [genesis.creatorUserId],
        roomPublicKey: genesis.roomPublicKey,
        sealedInfo: genesis.info,
        openedAtMs,
        seq: undefined,
        change: undefined,
        info: undefined,
      },
    ];
    this.#replay = new ReplayGuard(this.#closedAt, () => this.epoch);
  }

  /** When JetStream stored the commit that closed `epoch` (the replay guard's position). */
  readonly #closedAt = (epoch: number): number | undefined => this.#epochs[epoch + 1]?.openedAtMs;

  /**
   * Whether every receiver refuses, by position, a live envelope of `epoch` that JetStream stored
   * at `storedAtMs` (the replay guard's rule, from this room's view): undefined while this room
   * does not know when the commit that replaced `epoch` was stored (or `epoch` is still the latest).
   * @example if (room.refusedByPosition(sent.epoch, echo.storedAtMs)) sendAgain(sent);
   */
  refusedByPosition(epoch: number, storedAtMs: number): boolean | undefined {
    if (epoch >= this.epoch) return undefined;
    const closed = this.#closedAt(epoch);
    return closed === undefined ? undefined : storedPastGrace(storedAtMs, closed);
  }

  /** Makes a new room (epoch 0, this user its only member). Publish `room.genesisSigned`. */
  static async create(input: GenesisInput & { directory: Directory }): Promise<Room> {
    const { signed } = await createGenesis(input);
    return Room.fromGenesis(signed, input.me, input.directory);
  }

  /**
   * A room from its signed genesis, as any client first sees it; then apply commits in order.
   * `facts`: when JetStream stored the genesis (the creator's device is judged then); without
   * them, by the genesis's own created-at (a chain read from elsewhere, e.g. a legacy snapshot).
   */
  static async fromGenesis(
    signed: roomkey.v1.ISigned,
    me: LocalMember,
    directory: Directory,
    facts?: CommitFacts,
  ): Promise<Room> {
    const genesis = await verifyGenesis(signed, directory, validityTime(facts?.storedAtMs));
    const props = { body: signed.body!, signature: signed.signature!, signer: signed.signer! };
    const room = new Room(genesis, props, me, directory, facts?.storedAtMs);
    if (genesis.creatorUserId === me.userId) {
      const secrets = await unwrapEpochSecrets(genesis.creatorKeyWrap, {
        roomId: room.roomId,
        epoch: 0,
        recipientUserId: me.userId,
        recipientHpkePrivateKey: me.userKeys.hpkePrivateKey,
      });
      await room.#learnSecrets(secrets);
    }
    return room;
  }

  /**
   * A keyless view for verifiers that are not members (the gateway): it checks signatures, the
   * hash chain and membership rules of every commit, and can never read a message.
   */
  static observe(signed: roomkey.v1.ISigned, directory: Directory): Promise<Room> {
    return Room.fromGenesis(signed, OBSERVER, directory);
  }

  /** Rebuilds a room from a stored snapshot, re-verifying the whole chain. */
  static async restore(
    snapshot: roomkey.v1.RoomSnapshot.$Properties,
    me: LocalMember,
    directory: Directory,
  ): Promise<Room> {
    if (!snapshot.genesis) throw new MalformedError('room snapshot: no genesis');
    const opened = (epoch: number): CommitFacts | undefined => {
      const storedAtMs = Number(snapshot.epochStoredAtMs?.[epoch] ?? 0);
      const seq = Number(snapshot.epochSeqs?.[epoch] ?? 0);
      if (storedAtMs <= 0) return undefined;
      return seq > 0 && Number.isSafeInteger(seq) ? { storedAtMs, seq } : { storedAtMs };
    };
    const room = await Room.fromGenesis(snapshot.genesis, me, directory, opened(0));
    room.#epochs[0]!.seq = opened(0)?.seq;
    for (const [i, commit] of (snapshot.commits ?? []).entries())
      await room.applyCommit(commit, opened(i + 1));
    await room.#learnSecrets(
      (snapshot.secrets ?? []).map((s) => ({ epoch: s.epoch ?? 0, secret: s.secret ?? new Uint8Array() })),
    );
    room.#replay = ReplayGuard.restore(
      replayState(snapshot),
      room.#closedAt,
      () => room.epoch,
      snapshot.seenMessageIds ?? [],
    );
    room.markDelivered(Number(snapshot.lastSeq ?? 0));
    room.#lastSeqLegacy = !snapshot.seqLayout && room.#lastSeq > 0;
    const held = [
      ...(snapshot.heldEnvelopes ?? []).map((bytes) => parseReceived(bytes)),
      ...(snapshot.held ?? []).map((h) =>
        parseReceived({
          bytes: h.envelope ?? new Uint8Array(),
          storedAtMs: Number(h.storedAtMs ?? 0),
          seq: Number(h.seq ?? 0),
        }),
      ),
    ];
    for (const received of held) {
      const { parsed } = received;
      // A held envelope that no longer parses was never accepted; dropping it loses nothing.
      if (parsed instanceof RoomKeyError) continue;
      room.#held.set(toHex(parsed.header.messageId), { epoch: parsed.header.epoch, received, parsed });
    }
    return room;
  }

  /** The latest epoch this device knows. */
  get epoch(): number {
    return this.#epochs.length - 1;
  }

  get genesisSigned(): SignedProps {
    return this.#chain[0]!;
  }

  /** Members of the latest epoch, sorted. */
  get members(): readonly string[] {
    return this.#epochs.at(-1)!.members;
  }

  /** 'member' (can read and send), 'removed' (was a member), or 'outside' (never was, or not yet). */
  get status(): 'member' | 'removed' | 'outside' {
    if (this.members.includes(this.#me.userId)) return 'member';
    return this.#removedAt === undefined ? 'outside' : 'removed';
  }

  /** Name and topic from the latest epoch this device can read ('' when none is readable). */
  get info(): RoomInfo {
    return this.#info?.info ?? { name: '', topic: '' };
  }

  get heldCount(): number {
    return this.#held.size;
  }

  /** The last stream sequence delivered live (0: none yet); kept in the snapshot. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Whether lastSeq counts in the room's own stream of the layout before shard streams (restored
   * from a snapshot of an earlier version): the gateway translates it (cursor start_seq_legacy).
   */
  get lastSeqLegacy(): boolean {
    return this.#lastSeqLegacy;
  }

  /**
   * Records that live delivery got up to `seq` (it never moves back). A position in the shard
   * stream replaces a legacy one (the gateway's translation never moves it back either).
   */
  markDelivered(seq: number): void {
    if (!Number.isSafeInteger(seq)) return;
    if (seq >= this.#lastSeq) this.#lastSeqLegacy = false;
    if (seq > this.#lastSeq) this.#lastSeq = seq;
  }

  /** When JetStream stored the Signed that opened `epoch` (undefined: not known here). */
  openedAtMs(epoch: number): number | undefined {
    return this.#epochs[epoch]?.openedAtMs;
  }

  /** The stream sequence of the Signed that opened `epoch` (undefined: not known here). */
  seqOf(epoch: number): number | undefined {
    return this.#epochs[epoch]?.seq;
  }

  /**
   * What each commit from `fromEpoch` on changed, by whom (from the signed commits this room
   * verified): the membership rows of a history. `renamedTo` only for an accepted rename this
   * device can read.
   * @example for (const c of room.changes(1)) console.log(c.committerUserId, c.kind, c.added);
   */
  changes(fromEpoch = 1): EpochChange[] {
    const out: EpochChange[] = [];
    for (const state of this.#epochs.slice(Math.max(1, fromEpoch))) {
      if (!state.change) continue;
      const renamed = state.change.renames && state.info ? { renamedTo: state.info.name } : {};
      out.push({
        epoch: state.epoch,
        ...state.change,
        ...renamed,
        ...(state.seq !== undefined ? { seq: state.seq } : {}),
        ...(state.openedAtMs !== undefined ? { storedAtMs: state.openedAtMs } : {}),
      });
    }
    return out;
  }

  view(epoch = this.epoch): EpochView {
    const state = this.#epochs[epoch];
    if (!state) throw new UnknownEpochError(this.roomId, epoch);
    return {
      epoch,
      members: state.members,
      roomPublicKey: state.roomPublicKey,
      readable: this.#keys.has(epoch),
    };
  }

  /** The Signed object (genesis or commit) that opened `epoch`. */
  signedAt(epoch: number): SignedProps {
    const signed = this.#chain[epoch];
    if (!signed) throw new UnknownEpochError(this.roomId, epoch);
    return signed;
  }

  /** Builds a commit adding users; `shareHistory` also gives them every epoch secret held here. */
  add(userIds: readonly string[], options: { nowMs: number; shareHistory?: boolean }): Promise<SignedProps> {
    const history = options.shareHistory
      ? [...this.#secrets].map(([epoch, secret]) => ({ epoch, secret }))
      : [];
    return this.#commit('add', { added: userIds, history, nowMs: options.nowMs });
  }

  /** Builds a commit removing users: a new epoch whose secret they never receive. */
  remove(userIds: readonly string[], options: { nowMs: number }): Promise<SignedProps> {
    return this.#commit('remove', { removed: userIds, nowMs: options.nowMs });
  }

  /** Builds a commit that only renews the epoch secret (scheduled rotation). */
  rotate(options: { nowMs: number }): Promise<SignedProps> {
    return this.#commit('rotate', { nowMs: options.nowMs });
  }

  /** Builds a rotation that also changes the room's name and topic. */
  rename(info: Partial<RoomInfo>, options: { nowMs: number }): Promise<SignedProps> {
    return this.#commit('rotate', { nowMs: options.nowMs, info: { ...this.info, ...info }, renames: true });
  }

  async #commit(
    kind: CommitKindName,
    change: {
      added?: readonly string[];
      removed?: readonly string[];
      history?: EpochSecretEntry[];
      info?: RoomInfo;
      renames?: boolean;
      nowMs: number;
    },
  ): Promise<SignedProps> {
    this.#requireMember('change the room');
    const { signed } = await buildCommit({
      me: this.#me,
      directory: this.#directory,
      roomId: this.roomId,
      parentEpoch: this.epoch,
      parent: this.#chain.at(-1)!,
      parentMembers: this.members,
      kind,
      ...change,
      info: change.info ?? this.info,
    });
    return signed;
  }

  /**
   * Verifies and applies the next commit (serialized). Re-applying the current one is a no-op
   * (that records its stored time if it was not known); a different commit for an epoch already
   * taken is a ConflictError (the room cannot fork). `facts`: when JetStream stored it — the
   * committer's device must be valid then; without them, at the commit's own committed-at (a
   * chain read without stored times: the gateway's observer, a legacy snapshot).
   * Returns results for held messages that the new key made readable.
   */
  applyCommit(
    signed: roomkey.v1.ISigned,
    facts?: CommitFacts,
  ): Promise<{ epoch: number; released: Array<ReceiveResult | RoomKeyError> }> {
    return this.#commits.run(() => this.#applyCommit(signed, facts));
  }

  async #applyCommit(
    signed: roomkey.v1.ISigned,
    facts: CommitFacts | undefined,
  ): Promise<{ epoch: number; released: Array<ReceiveResult | RoomKeyError> }> {
    const body = await verifyCommitSignature(signed);
    if (body.roomId !== this.roomId)
      throw new MalformedError(`epoch commit: for room ${body.roomId}, not this room`);
    const applied = this.#chain[body.epoch];
    if (applied && body.epoch > 0) {
      if (equalBytes(applied.body, signed.body!) && equalBytes(applied.signature, signed.signature!)) {
        const state = this.#epochs[body.epoch]!;
        if (state.openedAtMs === undefined && facts) await this.#learnOpenedAt(state, signed, body, facts);
        if (state.seq === undefined && facts?.seq) state.seq = facts.seq;
        return { epoch: body.epoch, released: [] };
      }
      throw new ConflictError(
        `epoch ${body.epoch} of this room was already committed by another change: rebuild on the latest epoch.`,
      );
    }
    if (body.epoch !== this.epoch + 1) {
      throw new ConflictError(
        `epoch commit for epoch ${body.epoch} arrived while this device is at epoch ${this.epoch}: fetch the commits in between first.`,
      );
    }
    if (!equalBytes(body.parentHash, sha256(encodeSigned(this.#chain.at(-1)!)))) {
      throw new ConflictError(
        `epoch commit ${body.epoch} does not build on this device's epoch ${this.epoch} (a fork).`,
      );
    }
    const parent = this.#epochs.at(-1)!;
    if (!parent.members.includes(body.committerUserId)) {
      throw new NotMemberError(
        `epoch commit ${body.epoch}: ${body.committerUserId} was not a member and cannot change the room.`,
      );
    }
    await requireDeviceOf(
      this.#directory,
      signed.signer!,
      body.committerUserId,
      `epoch commit ${body.epoch}`,
      facts ? validityTime(facts.storedAtMs, parent.openedAtMs) : body.committedAtMs,
    );
    const expected = nextMembers(parent.members, body.kind, body.added, body.removed);
    if (expected.join('\n') !== body.members.join('\n')) {
      throw new MalformedError(`epoch commit ${body.epoch}: the member list does not follow from the change`);
    }
    const recipients = body.keyWraps.map((w) => w.recipientUserId ?? '').sort();
    if (recipients.join('\n') !== expected.join('\n')) {
      throw new MalformedError(`epoch commit ${body.epoch}: needs exactly one key wrap per member`);
    }
    let secrets: EpochSecretEntry[] = [];
    if (expected.includes(this.#me.userId)) {
      const wrap = body.keyWraps.find((w) => w.recipientUserId === this.#me.userId)!;
      secrets = await unwrapEpochSecrets(wrap, {
        roomId: this.roomId,
        epoch: body.epoch,
        recipientUserId: this.#me.userId,
        recipientHpkePrivateKey: this.#me.userKeys.hpkePrivateKey,
      });
      const keys = await deriveEpochKeys(secrets.at(-1)!.secret, this.roomId, body.epoch);
      if (!equalBytes(keys.roomPublicKey, body.roomPublicKey)) {
        throw new MalformedError(
          `epoch commit ${body.epoch}: the wrapped secret does not match the room public key (inconsistent keys from the committer).`,
        );
      }
    }
    this.#epochs.push({
      epoch: body.epoch,
      members: expected,
      roomPublicKey: body.roomPublicKey,
      sealedInfo: body.info,
      openedAtMs: facts?.storedAtMs,
      seq: facts?.seq || undefined,
      change: {
        kind: body.kind,
        committerUserId: body.committerUserId,
        added: body.added,
        removed: body.removed,
        renames: body.renames,
      },
      info: undefined,
    });
    this.#chain.push({ body: signed.body!, signature: signed.signature!, signer: signed.signer! });
    if (parent.members.includes(this.#me.userId) && !expected.includes(this.#me.userId)) {
      this.#removedAt = body.epoch;
    }
    await this.#learnSecrets(secrets);
    return { epoch: body.epoch, released: await this.#releaseHeld() };
  }

  /**
   * Records when JetStream stored this room's genesis (a room created on this device learns it
   * from the chain afterwards); the creator's device must have been valid then.
   */
  async learnGenesisStored(signed: roomkey.v1.ISigned, facts: CommitFacts): Promise<void> {
    const genesis = this.#chain[0]!;
    if (
      !equalBytes(genesis.body, signed.body ?? new Uint8Array()) ||
      !equalBytes(genesis.signature, signed.signature ?? new Uint8Array())
    ) {
      throw new ConflictError('The chain read for this room starts with another genesis.');
    }
    const state = this.#epochs[0]!;
    if (state.seq === undefined && facts.seq) state.seq = facts.seq;
    if (state.openedAtMs !== undefined) return;
    const creator = this.genesis.creatorUserId;
    await requireDeviceOf(
      this.#directory,
      genesis.signer,
      creator,
      'room genesis',
      validityTime(facts.storedAtMs),
    );
    state.openedAtMs = facts.storedAtMs;
  }

  /**
   * A commit applied before its stored time was known (live, or this device's own) learns it
   * later: the committer's device must have been valid then too, else the time stays unknown.
   */
  async #learnOpenedAt(
    state: EpochState,
    signed: roomkey.v1.ISigned,
    body: { committerUserId: string; epoch: number },
    facts: CommitFacts,
  ): Promise<void> {
    const parent = this.#epochs[body.epoch - 1];
    await requireDeviceOf(
      this.#directory,
      signed.signer!,
      body.committerUserId,
      `epoch commit ${body.epoch}`,
      validityTime(facts.storedAtMs, parent?.openedAtMs),
    );
    state.openedAtMs = facts.storedAtMs;
  }

  /**
   * Keeps epoch secrets (unwrapped from a commit, or from a snapshot). Each must derive the room
   * public key recorded for its epoch; a mismatch is a MalformedError and nothing is kept.
   */
  async #learnSecrets(entries: readonly EpochSecretEntry[]): Promise<void> {
    const derived: EpochKeys[] = [];
    for (const { epoch, secret } of entries) {
      const state = this.#epochs[epoch];
      if (!state) throw new UnknownEpochError(this.roomId, epoch, `epoch secret for unknown epoch ${epoch}`);
      const keys = await deriveEpochKeys(secret, this.roomId, epoch);
      if (!equalBytes(keys.roomPublicKey, state.roomPublicKey)) {
        throw new MalformedError(`epoch ${epoch}: the secret does not match the room public key`);
      }
      derived.push(keys);
    }
    entries.forEach((entry, i) => {
      this.#secrets.set(entry.epoch, entry.secret);
      this.#keys.set(entry.epoch, derived[i]!);
    });
    // In epoch order: whether an epoch renamed the room is judged against the one before it.
    for (const keys of derived.sort((a, b) => a.epoch - b.epoch)) this.#readInfo(keys);
  }

  /** Keeps the name and topic of the newest readable epoch; an unreadable info is left out, not fatal. */
  #readInfo(keys: EpochKeys): void {
    const state = this.#epochs[keys.epoch];
    if (!state?.sealedInfo) return;
    let opened: RoomInfo;
    try {
      opened = openRoomInfo(state.sealedInfo, keys);
    } catch {
      // A committer who sealed garbage cannot stop the room; the previous name stays shown.
      return;
    }
    state.info = this.#acceptedInfo(keys.epoch, opened);
    if (!this.#info || this.#info.epoch <= keys.epoch) this.#info = { epoch: keys.epoch, info: state.info };
  }

  /**
   * The gateway sees no name, only the commit's `renames` flag (which it checks against the
   * committer's role): a name that changed without the flag since the last epoch readable here is
   * refused, and the previous one kept. Refusing the whole commit instead would let any member
   * freeze the room's chain. With no earlier readable epoch (history not shared), it is taken.
   */
  #acceptedInfo(epoch: number, opened: RoomInfo): RoomInfo {
    let flagged = false;
    for (let e = epoch; e > 0; e--) {
      flagged ||= this.#epochs[e]!.change?.renames === true;
      const before = this.#epochs[e - 1]!.info;
      if (before === undefined) continue;
      const same = before.name === opened.name && before.topic === opened.topic;
      return same || flagged ? opened : before;
    }
    return opened;
  }

  /**
   * Encrypts and signs a text message for the latest epoch; returns the bytes to publish.
   * `messageId`: a message refused by position sent again keeps its id (receivers show it once).
   */
  async encrypt(
    text: string,
    options: {
      nowMs: number;
      replyTo?: Uint8Array;
      contentType?: number;
      messageId?: Uint8Array;
      /** An edit, delete, react or unreact of `target` (padding.ts checks the fields each needs). */
      action?: MessageActionName;
      target?: Uint8Array;
      reaction?: string;
    },
  ): Promise<{ envelope: Uint8Array; messageId: Uint8Array; epoch: number }> {
    this.#requireMember('send messages');
    const keys = this.#keys.get(this.epoch);
    if (!keys) throw new UnknownEpochError(this.roomId, this.epoch);
    if (options.messageId && options.messageId.length !== MESSAGE_ID_BYTES)
      throw new MalformedError(`a message id is ${MESSAGE_ID_BYTES} bytes`);
    const messageId = options.messageId ?? randomBytes(MESSAGE_ID_BYTES);
    const parts = await sealEnvelope({
      roomId: this.roomId,
      epoch: this.epoch,
      senderUserId: this.#me.userId,
      sentAtMs: options.nowMs,
      contentType: options.contentType ?? CONTENT_TYPE_TEXT,
      messageId,
      plaintext: encodeMessageContent({
        text,
        ...(options.replyTo ? { replyTo: options.replyTo } : {}),
        ...(options.action ? { action: options.action } : {}),
        ...(options.target ? { target: options.target } : {}),
        ...(options.reaction ? { reaction: options.reaction } : {}),
      }),
      messageKey: keys.messageKey,
      deviceSecretKey: this.#me.device.secretKey,
    });
    return { envelope: encodeEnvelope(parts), messageId, epoch: this.epoch };
  }

  /**
   * Checks and decrypts one envelope (see the order at the top of this file), with the stream's
   * stored facts when it was read from the stream.
   */
  async receive(input: IncomingEnvelope): Promise<ReceiveResult> {
    const received = asReceived(input);
    if (received.parsed instanceof RoomKeyError) throw received.parsed;
    return this.#receiveParsed(received.parsed, received, false);
  }

  /**
   * A page to hand to receiveMany, its signatures verified and its envelopes opened (with the epoch
   * keys this room holds now) from this moment, elsewhere when `verifier` / `opener` say so. The
   * checks, their order and the verdicts are receiveMany's: only where the work runs changes.
   * @example const page = room.startReading(envelopes, { verifier: pool.verify, opener: pool.open });
   */
  startReading(
    envelopes: readonly IncomingEnvelope[],
    workers: { verifier?: BatchVerifier; opener?: BatchOpener } = {},
  ): VerifyingBatch {
    const { verifier, opener } = workers;
    return startVerifying(
      envelopes,
      verifier,
      opener && { opener, keyOf: (epoch) => this.#keys.get(epoch)?.messageKey },
    );
  }

  /**
   * Catch-up: many envelopes with their signatures verified in one batch (WebCrypto where present).
   * Results keep the input order; a rejected envelope yields its typed error in place.
   * `reread: true` is for reading stored history again (a page this device has seen live): ids
   * already accepted are decrypted again instead of refused as replays, and never held.
   * `verifier` verifies the batch's signatures elsewhere (core/client's worker pool) with the same
   * verdicts; only where the work runs changes. A batch from startReading (verifying.ts) is
   * already being verified and opened: its verdicts and plaintexts are awaited here.
   */
  async receiveMany(
    envelopes: readonly IncomingEnvelope[] | VerifyingBatch,
    options: { reread?: boolean; verifier?: BatchVerifier } = {},
  ): Promise<Array<ReceiveResult | RoomKeyError>> {
    const batch = isVerifyingBatch(envelopes)
      ? envelopes
      : startVerifying(envelopes as readonly IncomingEnvelope[], options.verifier);
    const { inputs, ready } = batch;
    const parsed = inputs.map((received) => received.parsed);
    const valid = await batch.valid;
    const opened = await batch.opened;
    const signatureOk = new Map(ready.map((p, i) => [p, valid[i]!]));
    const results: Array<ReceiveResult | RoomKeyError> = [];
    for (let i = 0; i < parsed.length; i++) {
      const p = parsed[i]!;
      if (p instanceof RoomKeyError) {
        results.push(p);
        continue;
      }
      const received = inputs[i]!;
      try {
        if (!signatureOk.get(p)) {
          // Device and membership errors take precedence over a bad signature, as in receive().
          await this.#checkSender(p, received.facts);
          throw new BadSignatureError(
            'message: the device signature does not verify; it was modified or forged.',
          );
        }
        results.push(await this.#receiveParsed(p, received, true, options.reread === true, opened.get(p)));
      } catch (error) {
        results.push(asRoomKeyError(error));
      }
    }
    return results;
  }

  async #checkSender(parsed: ParsedEnvelope, facts: StoredFacts | undefined): Promise<void> {
    const h = parsed.header;
    if (h.roomId !== this.roomId) throw new MalformedError(`message: for room ${h.roomId}, not this room`);
    const state = this.#epochs[h.epoch];
    // Not h.sentAtMs: the sender wrote it. An epoch not known yet is judged again on release.
    const atMs = validityTime(facts?.storedAtMs, state?.openedAtMs);
    await requireDeviceOf(this.#directory, h.senderDeviceKey, h.senderUserId, 'message', atMs);
    if (state && !state.members.includes(h.senderUserId)) {
      throw new NotMemberError(
        `message: ${h.senderUserId} was not a member of this room at epoch ${h.epoch}.`,
      );
    }
  }

  async #receiveParsed(
    parsed: ParsedEnvelope,
    received: ReceivedEnvelope,
    signatureChecked: boolean,
    reread = false,
    ahead?: OpenedAhead,
  ): Promise<ReceiveResult> {
    const h = parsed.header;
    const { facts } = received;
    await this.#checkSender(parsed, facts);
    if (!signatureChecked) await verifyEnvelopeSignature(parsed);
    if (h.epoch > this.epoch) {
      if (reread) throw new UnknownEpochError(this.roomId, h.epoch);
      return this.#hold(parsed, received);
    }
    const keys = this.#keys.get(h.epoch);
    if (!keys) {
      if (this.#removedAt !== undefined && h.epoch >= this.#removedAt) {
        throw new NotMemberError(
          `You were removed from this room at epoch ${this.#removedAt}; messages sent after that cannot be read.`,
        );
      }
      throw new UnknownEpochError(
        this.roomId,
        h.epoch,
        `This message is from epoch ${h.epoch}, before this device could read the room: its history was not shared with you.`,
      );
    }
    // By position and by id (replay-guard.ts); a re-read of stored history is neither.
    if (!reread) this.#replay.check(h.epoch, h.messageId, facts?.storedAtMs);
    // Opened ahead in a worker with this very key: the same bytes aeadOpen gives here.
    const plaintext =
      ahead && equalBytes(ahead.key, keys.messageKey)
        ? ahead.plaintext
        : decryptEnvelope(parsed, keys.messageKey);
    const content = decodeMessageContent(plaintext);
    if (reread) this.#replay.remember(h.epoch, h.messageId);
    else this.#replay.accept(h.epoch, h.messageId, facts?.storedAtMs);
    const message: RoomMessage = {
      roomId: this.roomId,
      epoch: h.epoch,
      messageId: h.messageId,
      senderUserId: h.senderUserId,
      senderDeviceKey: h.senderDeviceKey,
      sentAtMs: h.sentAtMs,
      ...(facts ? { storedAtMs: facts.storedAtMs, seq: facts.seq } : {}),
      contentType: h.contentType,
      text: content.text,
      replyTo: content.replyTo,
      action: content.action,
      target: content.target,
      reaction: content.reaction,
    };
    return { status: 'ok', message };
  }

  #hold(parsed: ParsedEnvelope, received: ReceivedEnvelope): ReceiveResult {
    const h = parsed.header;
    if (this.#held.size >= MAX_HELD && !this.#held.has(toHex(h.messageId))) {
      throw new TooLargeError(
        `message held for epoch ${h.epoch} dropped: ${MAX_HELD} messages already wait for keys; it stays in the room history and is read again on the next catch-up.`,
      );
    }
    this.#held.set(toHex(h.messageId), { epoch: h.epoch, received, parsed });
    const { facts } = received;
    return {
      status: 'held',
      roomId: this.roomId,
      epoch: h.epoch,
      messageId: h.messageId,
      ...(facts ? { storedAtMs: facts.storedAtMs, seq: facts.seq } : {}),
      reason: `Waiting for the key of epoch ${h.epoch}: the room changed and this device has not received that change yet.`,
    };
  }

  async #releaseHeld(): Promise<Array<ReceiveResult | RoomKeyError>> {
    const ready = [...this.#held].filter(([, held]) => held.epoch <= this.epoch);
    const results: Array<ReceiveResult | RoomKeyError> = [];
    for (const [id, held] of ready) {
      this.#held.delete(id);
      try {
        // Its signature was checked when it was held; sender and membership are judged again.
        results.push(await this.#receiveParsed(held.parsed, held.received, true));
      } catch (error) {
        results.push(asRoomKeyError(error));
      }
    }
    return results;
  }

  /** Opens something sealed to this room's public key (integrations, gateway notices). */
  async openSealed(sealed: Uint8Array | roomkey.v1.ISealedToRoom): Promise<Uint8Array> {
    const parsed = parseSealedToRoom(sealed);
    const keys = this.#keys.get(parsed.epoch);
    if (!keys) throw new UnknownEpochError(this.roomId, parsed.epoch);
    return openSealedToRoom(parsed, keys);
  }

  /**
   * Everything needed to restore this room later (store it encrypted: it holds secrets).
   * `withIds: false` leaves the replay ids out (only their count per epoch), for a saver that
   * keeps them in records of their own as they grow (core/client/room-snapshots.ts).
   */
  snapshot(options: { withIds?: boolean } = {}): roomkey.v1.RoomSnapshot.$Properties {
    return {
      genesis: this.#chain[0],
      commits: this.#chain.slice(1),
      secrets: [...this.#secrets].map(([epoch, secret]) => ({ epoch, secret })),
      ...this.#snapshotReplay(options.withIds !== false),
      epochStoredAtMs: this.#epochs.map((e) => e.openedAtMs ?? 0),
      epochSeqs: this.#epochs.map((e) => e.seq ?? 0),
      lastSeq: this.#lastSeq,
      seqLayout: this.#lastSeqLegacy ? 0 : 1,
      held: [...this.#held.values()].map(({ received }) => ({
        envelope: received.bytes,
        storedAtMs: received.facts?.storedAtMs ?? 0,
        seq: received.facts?.seq ?? 0,
      })),
    };
  }

  #snapshotReplay(
    withIds: boolean,
  ): Pick<roomkey.v1.RoomSnapshot.$Properties, 'replayFloor' | 'replayNewestStoredAtMs' | 'replayEpochs'> {
    const guard = this.#replay;
    return {
      replayFloor: guard.floor,
      replayNewestStoredAtMs: guard.newestStoredAtMs,
      replayEpochs: guard.openEpochs().map(({ epoch, ids }) => ({
        epoch,
        ids: withIds ? ids.slice() : new Uint8Array(),
        count: ids.size,
      })),
    };
  }

  /**
   * The replay guard itself, for a saver that writes its ids in chunks as they grow (read only:
   * core/client/room-snapshots.ts). Its open epochs' id sets only ever grow.
   */
  get replay(): ReplayGuard {
    return this.#replay;
  }

  /** The snapshot, encoded. */
  encodeSnapshot(): Uint8Array {
    return encode(v1.RoomSnapshot, this.snapshot());
  }

  #requireMember(action: string): void {
    if (this.status === 'member') return;
    throw new NotMemberError(
      this.status === 'removed'
        ? `You were removed from this room at epoch ${this.#removedAt} and can no longer ${action}.`
        : `You are not a member of this room and cannot ${action}.`,
    );
  }
}

/** The replay state in a snapshot (hostile input: numbers checked by ReplayGuard.restore). */
function replayState(snapshot: roomkey.v1.RoomSnapshot.$Properties): ReplayState {
  return {
    floor: Number(snapshot.replayFloor ?? 0),
    newestStoredAtMs: Number(snapshot.replayNewestStoredAtMs ?? 0),
    epochs: (snapshot.replayEpochs ?? []).map((e) => {
      const ids = e.ids ?? new Uint8Array();
      // A count with its ids missing (chunk records not read back) would silently drop protection.
      if (Number(e.count ?? 0) * 16 !== ids.length) {
        throw new MalformedError(`room snapshot: the replay ids of epoch ${e.epoch} are not all there`);
      }
      return { epoch: Number(e.epoch ?? 0), ids };
    }),
  };
}
