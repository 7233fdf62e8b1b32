/**
 * The background's switchboard: accepts ports from content scripts and extension pages, derives
 * each caller from the browser's sender data, answers requests (lib/handlers.ts, lib/admin.ts),
 * keeps the tab registry, sends each frame the events it may see, routes notifications, and
 * handles clicks on OS notifications. Browser specifics come in through `Platform`, so the hub
 * runs against fakes in unit tests.
 * @example const hub = new Hub({ platform, account, approvals, prompts, settings, sdkAvailable: true }); browser.runtime.onConnect.addListener((p) => hub.connect(p));
 */
import { type BridgeEvent, type BridgeReply, toWireError } from '../../core/bridge/index.ts';
import type { DnsView, StoredMessage } from '../../core/client/index.ts';
import { ForbiddenError, UnsupportedError } from '../../core/errors.ts';
import { AccessGate } from './access.ts';
import { type Account, type AccountState, stateEvents } from './account.ts';
import { type AdminContext, handleAdmin } from './admin.ts';
import type { ApprovalPrompts } from './approval-prompts.ts';
import type { ApprovalStore } from './approvals.ts';
import type { IncomingNotification, SessionEvents } from './background-session.ts';
import { canRead, eventForFrame, visibleUsers } from './event-filter.ts';
import { type Frame, FrameRegistry, presenceOf } from './frames.ts';
import { handleRequest } from './handlers.ts';
import { KeptMessages } from './kept-messages.ts';
import { checkAdmin, type FrameState, parseToBackground } from './messages.ts';
import {
  clickTarget,
  type RouterFrame,
  roomOfNotification,
  routeNotification,
} from './notification-router.ts';
import { callerOf, type ExtensionIdentity, frameKind, type SenderLike } from './origin.ts';
import type { Settings, SettingsStore } from './settings.ts';
import type { SignInWindow } from './sign-in-window.ts';
import type { VerifyWindow } from './verify-window.ts';

/** The part of `runtime.Port` the hub uses. */
export interface PortLike {
  readonly name: string;
  readonly sender?: SenderLike;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** The browser, as far as the hub needs it. */
export interface Platform {
  extension: ExtensionIdentity;
  /** The sealed room page for a room (sealed-room.html?room=…), for a site's iframe only. */
  roomPageUrl(roomId: string): string;
  /** The extension's own room page (room.html?room=…, which no web page can load), for its tabs. */
  ownRoomPageUrl(roomId: string): string;
  showNotification(id: string, title: string, message: string): Promise<void>;
  /** Brings the tab (and its window) to the front. */
  focusTab(tabId: number): Promise<void>;
  openTab(url: string): Promise<void>;
  /** Pending approval questions (badge on the toolbar button). */
  setPending(count: number): void;
  /**
   * Which frames were registered, kept across a restart of the worker (storage.session): the hub
   * holds notifications until they are back (or HOLD_MS), so a tab showing the room is not
   * mistaken for none. Absent where the background is never stopped.
   */
  registered?: { load(): Promise<string[]>; save(keys: string[]): void };
}

/** The longest notifications wait for the frames of before a restart (one may have closed meanwhile). */
export const HOLD_MS = 5000;

export interface HubDeps {
  platform: Platform;
  account: Account;
  approvals: ApprovalStore;
  prompts: ApprovalPrompts;
  settings: SettingsStore;
  sdkAvailable: boolean;
  /** Settled when the account and approvals are restored; messages wait for it. */
  ready: Promise<void>;
  settingsChanged(settings: Settings): void;
  /** The kept-messages buffer (tests pass their own clock and bounds). */
  kept?: KeptMessages;
  /** The extension's sign-in window, which sites may ask to see (absent: they are told it is missing). */
  signInWindow?: SignInWindow;
  /** The extension's verify window, which sites may ask to see for a contact (lib/verify-window.ts). */
  verifyWindow?: VerifyWindow;
}

/** A frame across reconnects of its port: its tab and frame (extension pages: the frame itself). */
const frameKeyOf = (frame: Frame): string =>
  frame.tabId === undefined ? frame.key : `t${frame.tabId}:${frame.frameId}`;

export class Hub {
  readonly #deps: HubDeps;
  readonly #registry = new FrameRegistry<PortLike>();
  /** Recent messages, for frames that register (again) after they were handed on. */
  readonly #kept: KeptMessages;
  readonly gate: AccessGate;
  /** What admin commands work with (all fixed for the hub's life). */
  readonly #adminContext: AdminContext;
  /** The frames of before a restart that have not registered again; settled once none is left. */
  #returning: { keys: Set<string>; done: () => void } | undefined;
  readonly #returned: Promise<void>;
  #remembered = '';

  #dns: DnsView | undefined;

  constructor(deps: HubDeps) {
    this.#deps = deps;
    this.#kept = deps.kept ?? new KeptMessages();
    this.#returned = this.#awaitReturning();
    this.gate = new AccessGate({
      approvals: deps.approvals,
      prompts: deps.prompts,
      roomName: async (roomId) => {
        if (deps.account.state.keys !== 'ready') return null;
        const rooms = await deps.account.session().listRooms();
        return rooms.find((r) => r.roomId === roomId)?.name ?? null;
      },
    });
    this.#adminContext = {
      account: deps.account,
      approvals: deps.approvals,
      prompts: deps.prompts,
      settings: deps.settings,
      sdkAvailable: deps.sdkAvailable,
      revoked: (origin, roomId) => this.revoked(origin, roomId),
      settingsChanged: deps.settingsChanged,
    };
    deps.prompts.onChange = () => deps.platform.setPending(deps.prompts.size);
  }

  /** The connected frames (tests, diagnostics). */
  frames(): Frame[] {
    return this.#registry.frames();
  }

  async #awaitReturning(): Promise<void> {
    const keys = new Set((await this.#deps.platform.registered?.load().catch(() => [])) ?? []);
    for (const frame of this.#registry.frames()) if (frame.connected) keys.delete(frameKeyOf(frame));
    if (keys.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), HOLD_MS);
      const done = () => {
        clearTimeout(timer);
        this.#returning = undefined;
        resolve();
      };
      this.#returning = { keys, done };
    });
  }

  /** A new port: derive the caller from the browser's sender data, or refuse. */
  connect(port: PortLike): void {
    const caller = callerOf(port, this.#deps.platform.extension);
    if (caller instanceof ForbiddenError) {
      port.disconnect();
      return;
    }
    const sender = port.sender ?? {};
    const sealed = caller.kind === 'site' && caller.frame === 'sealed';
    this.#registry.add(port, {
      caller,
      tabId: sender.tab?.id,
      frameId: sender.frameId ?? 0,
      // For a sealed frame, the page to reopen is the tab's page, not the extension URL.
      url: sealed ? sender.tab?.url : sender.url,
    });
    port.onMessage.addListener((raw) => {
      void this.#deps.ready.then(
        () => this.#receive(port, raw),
        () => this.#receive(port, raw),
      );
    });
    port.onDisconnect.addListener(() => {
      this.#registry.remove(port);
      this.#presence();
    });
  }

  /** The last DNS check in words (lib/dns-guard.ts), for every approved frame and each one registering. */
  dnsChanged(view: DnsView): void {
    this.#dns = view;
    this.#broadcast({ type: 'dns', detail: view });
  }

  /** The account changed (keys, connection, session): every frame that may know hears of it. */
  accountChanged(state: AccountState): void {
    for (const event of stateEvents(state)) this.#broadcast(event);
    if (state.keys === 'ready') this.#presence();
  }

  /** An event of the running session. */
  sessionEvent<K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]): void {
    if (type === 'rooms') this.#broadcast({ type: 'rooms', detail: detail as SessionEvents['rooms'] });
    else if (type === 'message') this.#message(detail as SessionEvents['message']);
    else if (type === 'notification') void this.#notify(detail as SessionEvents['notification']);
    else if (type === 'outbox')
      this.#broadcast({ type: 'outbox', detail: detail as SessionEvents['outbox'] });
    // Each frame hears only of the rooms its site may reach (event-filter.ts).
    else if (type === 'hidden')
      this.#broadcast({ type: 'hidden', detail: detail as SessionEvents['hidden'] });
    else if (type === 'contacts')
      void this.#contacts(detail as SessionEvents['contacts']).catch(() => undefined);
  }

  /** A change of contacts' trust, to each frame as far as it sees them (members of rooms it reads). */
  async #contacts(detail: SessionEvents['contacts']): Promise<void> {
    if (this.#deps.account.state.keys !== 'ready') return;
    const rooms = await this.#deps.account.session().listRooms();
    for (const [port, frame] of this.#registry.entries()) {
      const kind = frameKind(frame.caller);
      const visible =
        kind === 'extension'
          ? new Set(detail.userIds)
          : visibleUsers(rooms, kind, (roomId) => this.gate.accessOf(frame.caller, roomId));
      this.#send(port, { type: 'contacts', detail }, visible);
    }
  }

  /** A site or a room of it was revoked: its frames stop receiving and lose the room's focus. */
  revoked(origin: string, roomId: string | null): void {
    for (const [port, frame] of this.#registry.entries()) {
      if (frame.caller.kind !== 'site' || frame.caller.origin !== origin) continue;
      if (roomId === null) this.#registry.update(port, { connected: false, focusedRoom: null });
      else if (frame.focusedRoom === roomId) this.#registry.update(port, { focusedRoom: null });
    }
    this.#presence();
  }

  /** A click on one of our OS notifications. */
  async notificationClicked(id: string): Promise<void> {
    await this.#deps.ready.catch(() => undefined);
    const roomId = roomOfNotification(id);
    if (!roomId) return;
    const target = clickTarget(
      roomId,
      this.#routerFrames(roomId),
      this.#deps.approvals.sitesWithRoom(roomId),
      this.#deps.platform.ownRoomPageUrl(roomId),
    );
    if (target.kind === 'open') return this.#deps.platform.openTab(target.url);
    const port = this.#registry.portOf(target.frame);
    const tabId = port && this.#registry.get(port)?.tabId;
    if (tabId !== undefined) await this.#deps.platform.focusTab(tabId);
  }

  async #receive(port: PortLike, raw: unknown): Promise<void> {
    const frame = this.#registry.get(port);
    if (!frame) return;
    let message: ReturnType<typeof parseToBackground>;
    try {
      message = parseToBackground(raw);
    } catch {
      return; // Not even an id to answer: content scripts never send this.
    }
    if (message.type === 'ping') return;
    if (message.type === 'frame') return this.#frameState(port, frame, message.state);
    if (message.type === 'refused') {
      return this.#post(port, { kind: 'error', id: message.id, error: toWireError(message.error) });
    }
    try {
      const result =
        message.type === 'request'
          ? await handleRequest(this.#handlerContext(port), frame, message.request, (progress) =>
              this.#post(port, { kind: 'progress', id: message.id, progress }),
            )
          : await this.#admin(frame, message.command, message.args);
      this.#post(port, { kind: 'result', id: message.id, result: result ?? null });
      // The snapshot has no DNS status (pages before the extension's DNS check never asked for it).
      if (message.type === 'request' && message.request.method === 'connect' && this.#dns)
        this.#send(port, { type: 'dns', detail: this.#dns });
    } catch (error) {
      this.#post(port, { kind: 'error', id: message.id, error: toWireError(error) });
    }
  }

  /** A frame reports its state (after a restart of the background, all of it again). */
  #frameState(port: PortLike, frame: Frame, state: FrameState): void {
    const { caller } = frame;
    // A frame may only claim what it could get by asking now: a connected page needs its site
    // approved, a focused room needs access.
    const connected =
      state.connected &&
      (caller.kind === 'extension' || caller.frame === 'sealed' || this.gate.siteGranted(caller));
    const focusedRoom =
      state.focusedRoom !== null && this.gate.accessOf(caller, state.focusedRoom) !== undefined
        ? state.focusedRoom
        : null;
    const wasConnected = frame.connected;
    this.#registry.update(port, { visible: state.visible, connected, focusedRoom });
    if (connected && !wasConnected) {
      // Back after a restart: bring the frame up to date at once.
      for (const event of stateEvents(this.#deps.account.state)) this.#send(port, event);
      if (this.#dns) this.#send(port, { type: 'dns', detail: this.#dns });
      // …and with what was handed on while it was away (the resume catch-up runs as soon as the
      // restarted worker is connected, whether or not the tabs have registered again).
      const kind = frameKind(caller);
      const missed = this.#kept.missedBy(frameKeyOf(frame), (roomId) =>
        canRead(kind, this.gate.accessOf(caller, roomId)),
      );
      for (const message of missed) this.#send(port, { type: 'message', detail: message });
    }
    this.#presence();
  }

  /** Records the registered frames for after a restart; settles the wait for the returning ones. */
  #remember(): void {
    const keys = this.#registry
      .frames()
      .filter((f) => f.connected && f.tabId !== undefined)
      .map(frameKeyOf)
      .sort();
    if (this.#returning) {
      for (const key of keys) this.#returning.keys.delete(key);
      if (this.#returning.keys.size === 0) this.#returning.done();
    }
    const joined = keys.join(' ');
    if (joined === this.#remembered) return;
    this.#remembered = joined;
    this.#deps.platform.registered?.save(keys);
  }

  async #admin(frame: Frame, command: string, args: unknown): Promise<unknown> {
    if (frame.caller.kind !== 'extension' || !frame.caller.admin) {
      throw new ForbiddenError('RoomKey: only the extension popup can do that.');
    }
    return handleAdmin(this.#adminContext, checkAdmin(command, args));
  }

  #handlerContext(port: PortLike): Parameters<typeof handleRequest>[0] {
    return {
      account: this.#deps.account,
      approvals: this.#deps.approvals,
      gate: this.gate,
      sealedRoomUrl: (roomId) => this.#deps.platform.roomPageUrl(roomId),
      updateFrame: (patch) => {
        this.#registry.update(port, patch);
        this.#presence();
      },
      signedOut: () => this.#deps.approvals.clear(),
      roomsChanged: async () => {
        this.#broadcast({ type: 'rooms', detail: await this.#deps.account.session().listRooms() });
      },
      openSignIn: async (request) => {
        if (!this.#deps.signInWindow) {
          throw new UnsupportedError(
            'RoomKey: this extension build has no sign-in window; use its toolbar button.',
          );
        }
        await this.#deps.signInWindow.show(request);
      },
      openVerify: async (request) => {
        if (!this.#deps.verifyWindow) {
          throw new UnsupportedError('RoomKey: this extension build has no verify window.');
        }
        await this.#deps.verifyWindow.show(request);
      },
    };
  }

  #broadcast(event: BridgeEvent): void {
    for (const [port] of this.#registry.entries()) this.#send(port, event);
  }

  /** A message to every frame that may read it, kept for the frames that come back later. */
  #message(message: StoredMessage): void {
    const sentTo: string[] = [];
    for (const [port, frame] of this.#registry.entries()) {
      if (this.#send(port, { type: 'message', detail: message })) sentTo.push(frameKeyOf(frame));
    }
    this.#kept.keep(message, sentTo);
  }

  /** Sends `event` to one frame, as far as that frame may see it; whether it went out. */
  #send(port: PortLike, event: BridgeEvent, visible?: ReadonlySet<string>): boolean {
    const frame = this.#registry.get(port);
    if (!frame) return false;
    const filtered = eventForFrame(
      event,
      {
        kind: frameKind(frame.caller),
        connected: frame.connected,
        siteGranted: this.gate.siteGranted(frame.caller),
      },
      (roomId) => this.gate.accessOf(frame.caller, roomId),
      visible,
    );
    if (!filtered) return false;
    this.#post(port, { kind: 'event', event: filtered });
    return true;
  }

  #post(port: PortLike, reply: BridgeReply): void {
    try {
      port.postMessage(reply);
    } catch {
      // The frame went away meanwhile; its disconnect handler cleans up.
    }
  }

  #routerFrames(roomId: string): RouterFrame[] {
    return this.#registry.frames().map((f) => ({
      key: f.key,
      kind: frameKind(f.caller),
      access: this.gate.accessOf(f.caller, roomId),
      connected: f.connected,
      visible: f.visible,
      focusedRoom: f.focusedRoom,
      activeAtMs: f.activeAtMs,
    }));
  }

  async #notify(note: IncomingNotification): Promise<void> {
    await this.#returned;
    const settings = await this.#deps.settings.get();
    const route = routeNotification(note, this.#routerFrames(note.roomId), settings);
    if (route.kind === 'toast') {
      const port = this.#registry.portOf(route.frame);
      if (port)
        this.#post(port, { kind: 'event', event: { type: 'notification', detail: route.notification } });
    } else if (route.kind === 'os') {
      await this.#deps.platform.showNotification(route.id, route.title, route.message).catch(() => undefined);
    }
  }

  #presence(): void {
    this.#remember();
    if (this.#deps.account.state.keys !== 'ready') return;
    const connected = this.#registry.frames().filter((f) => f.connected);
    try {
      this.#deps.account.session().setPresence(presenceOf(connected));
    } catch {
      // Locked meanwhile: no presence to report.
    }
  }
}
