/**
 * Read markers shared across one user's devices (DESIGN.md "Presence and notifications"), the
 * client's side, once for every host: when a room is on screen (core's `roomOnScreen`: the view is
 * visible and shows that room) the device marks it read up to the newest message shown there, and
 * tells the gateway (debounced: a burst read on screen sends one marker; never backwards). Markers
 * advanced on the user's other devices arrive as DeviceNotice.read and with the list read at start
 * and after each catch-up. What is at or below a room's marker is data: it is delivered, but never
 * notified and never counted unread. Unread counts are the messages from others above the marker
 * that arrived while the room was not focused here.
 * @example const reads = new ReadMarkers(deps); reads.setView({ visible: true, focusedRoom: roomId }); reads.received(message);
 */
import type { StoredMessage } from './types.ts';

export interface ReadMarkersDeps {
  /** Sends this device's marker of a room to the gateway; resolves with the sequence it keeps. */
  send(roomId: string, seq: number): Promise<number>;
  /** The user's markers as the gateway keeps them (room id → sequence). */
  list(): Promise<Map<string, number>>;
  /** A room's marker advanced (read here or on another device): close its notifications, recount. */
  onRead(roomId: string, seq: number): void;
  onError(error: Error): void;
  /** How long marking read waits for more before it sends (default 500 ms). */
  delayMs?: number;
}

/** Unread sequences kept per room; a room with more shows at least this many. */
const MAX_UNREAD_TRACKED = 1000;
const SEND_DELAY_MS = 500;

/**
 * One session's read markers (see the top of this file).
 * @example if (!reads.isRead(roomId, seq)) notify();
 */
export class ReadMarkers {
  readonly #deps: ReadMarkersDeps;
  /** Room → the sequence read up to (here or elsewhere). */
  readonly #upTo = new Map<string, number>();
  /** Room → the newest sequence shown (delivered, read back, or sent) on this device. */
  readonly #newest = new Map<string, number>();
  /** Room → sequences of messages from others, counted unread when they arrived (ascending). */
  readonly #unread = new Map<string, number[]>();
  /** Room → the sequence still to be sent (set, or failed and kept for the next catch-up). */
  readonly #pending = new Map<string, number>();
  #view: { visible: boolean; focusedRoom: string | null } = { visible: false, focusedRoom: null };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(deps: ReadMarkersDeps) {
    this.#deps = deps;
  }

  /** The sequence a room is read up to (0: nothing read). */
  upTo(roomId: string): number {
    return this.#upTo.get(roomId) ?? 0;
  }

  /** Whether a message of the room at `seq` was read, here or on another device. */
  isRead(roomId: string, seq: number): boolean {
    return seq > 0 && seq <= this.upTo(roomId);
  }

  /** Messages from others above the marker that arrived while the room was not focused here. */
  unread(roomId: string): number {
    const seqs = this.#unread.get(roomId);
    if (!seqs) return 0;
    const upTo = this.upTo(roomId);
    let count = 0;
    for (let i = seqs.length - 1; i >= 0 && seqs[i]! > upTo; i--) count++;
    return count;
  }

  /**
   * A marker from elsewhere (another device's DeviceNotice.read, the gateway's list or reply):
   * advances the room's marker; returns whether it moved.
   */
  apply(roomId: string, seq: number): boolean {
    if (this.#closed || !(seq > this.upTo(roomId))) return false;
    this.#upTo.set(roomId, seq);
    const unread = this.#unread.get(roomId);
    if (unread) {
      const kept = unread.filter((s) => s > seq);
      if (kept.length) this.#unread.set(roomId, kept);
      else this.#unread.delete(roomId);
    }
    if ((this.#pending.get(roomId) ?? 0) <= seq) this.#pending.delete(roomId);
    this.#deps.onRead(roomId, seq);
    return true;
  }

  /**
   * What the user sees: whether the view is visible and which room it shows. A room on screen is
   * read up to its newest message; the focused room's unread count resets.
   */
  setView(view: { visible: boolean; focusedRoom: string | null }): void {
    const refocused = view.focusedRoom !== this.#view.focusedRoom;
    this.#view = { ...view };
    const room = view.focusedRoom;
    if (room === null) return;
    if (refocused && this.#unread.delete(room)) this.#deps.onRead(room, this.upTo(room));
    this.#readOnScreen(room);
  }

  /**
   * A message this device delivers (live or caught up); returns it marked `read` when it is at or
   * below the room's marker (data: no notification, no unread count). Counts it unread when it is
   * from someone else, above the marker, and its room is not focused; reads it when on screen.
   */
  received(message: StoredMessage): StoredMessage {
    const { roomId, seq } = message;
    this.#saw(roomId, seq);
    if (this.isRead(roomId, seq)) return message.status === 'received' ? { ...message, read: true } : message;
    // An edit, delete or reaction changes a message already counted (or read): it is not one more.
    if (message.status === 'received' && !message.own && !message.action && this.#view.focusedRoom !== roomId)
      this.#count(roomId, seq);
    this.#readOnScreen(roomId);
    return message;
  }

  /** Messages shown without being delivered (a history read, this device's own sends). */
  shown(roomId: string, seq: number): void {
    this.#saw(roomId, seq);
    this.#readOnScreen(roomId);
  }

  /** Reads the user's markers from the gateway (at start, after each catch-up); sends what failed before. */
  async load(): Promise<void> {
    const markers = await this.#deps.list();
    for (const [roomId, seq] of markers) this.apply(roomId, seq);
    if (this.#pending.size) this.#schedule(0);
  }

  /** Sends the markers waiting now (before the connection closes). */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = [...this.#pending];
    await Promise.all(
      batch.map(async ([roomId, seq]) => {
        try {
          const kept = await this.#deps.send(roomId, seq);
          if (this.#pending.get(roomId) === seq) this.#pending.delete(roomId);
          // Another device may have read further meanwhile: the gateway keeps the higher one.
          this.apply(roomId, kept);
        } catch (error) {
          this.#deps.onError(error as Error); // kept pending: sent again after the next catch-up
        }
      }),
    );
  }

  /** No more sends or notices (lock, close). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #saw(roomId: string, seq: number): void {
    if (seq > (this.#newest.get(roomId) ?? 0)) this.#newest.set(roomId, seq);
  }

  #count(roomId: string, seq: number): void {
    const seqs = this.#unread.get(roomId) ?? [];
    if (seqs.includes(seq)) return;
    seqs.push(seq);
    seqs.sort((a, b) => a - b);
    if (seqs.length > MAX_UNREAD_TRACKED) seqs.splice(0, seqs.length - MAX_UNREAD_TRACKED);
    this.#unread.set(roomId, seqs);
  }

  /** On screen: read up to the newest shown, here at once and with the gateway soon. */
  #readOnScreen(roomId: string): void {
    if (!this.#view.visible || this.#view.focusedRoom !== roomId) return;
    const newest = this.#newest.get(roomId) ?? 0;
    if (!this.apply(roomId, newest)) return;
    this.#pending.set(roomId, newest);
    this.#schedule(this.#deps.delayMs ?? SEND_DELAY_MS);
  }

  #schedule(ms: number): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, ms);
  }
}
