// A background hub wired to fakes (ports, storage, prompt window, the loopback SDK), for tests that
// drive it the way frames do: a site's page, a sealed frame, the popup answering questions.
import assert from 'node:assert/strict';
import { type BridgeReply, requestEnvelope } from '../../../core/bridge/index.ts';
import { ExtensionStorageBackend } from '../../../core/store/extension-storage-backend.ts';
import { Account } from '../../../extension/lib/account.ts';
import { ApprovalPrompts } from '../../../extension/lib/approval-prompts.ts';
import { ApprovalStore } from '../../../extension/lib/approvals.ts';
import { Hub, type HubDeps, type Platform, type PortLike } from '../../../extension/lib/hub.ts';
import { BRIDGE_PORT, PAGE_PORT, sealedPortName } from '../../../extension/lib/messages.ts';
import type { SenderLike } from '../../../extension/lib/origin.ts';
import { SettingsStore } from '../../../extension/lib/settings.ts';
import { MemoryUnlockCache } from '../../../extension/lib/unlock-cache.ts';
import { CHEAP } from '../store/suite.ts';
import { FakeArea, FakeWindow, tick } from './fakes.ts';
import { createLoopbackFactory } from './loopback-sdk.ts';

export const EXT = { id: 'ext', origin: 'chrome-extension://ext' };

/** A request's answer: its result or its error. */
export type Reply = Extract<BridgeReply, { kind: 'result' | 'error' }>;

/** A port as a frame holds it: sends requests, records what the background posts. */
export class FakePort implements PortLike {
  readonly received: BridgeReply[] = [];
  disconnected = false;
  #onMessage: ((m: unknown) => void)[] = [];
  #onDisconnect: (() => void)[] = [];
  #next = 0;
  readonly name: string;
  readonly sender: SenderLike;
  /** How many ticks `call` waits for an answer. */
  readonly #patience: number;
  constructor(name: string, sender: SenderLike, patience = 200) {
    this.name = name;
    this.sender = sender;
    this.#patience = patience;
  }
  postMessage(message: unknown): void {
    this.received.push(structuredClone(message) as BridgeReply);
  }
  disconnect(): void {
    this.disconnected = true;
    for (const l of this.#onDisconnect) l();
  }
  onMessage = { addListener: (l: (m: unknown) => void) => this.#onMessage.push(l) };
  onDisconnect = { addListener: (l: () => void) => this.#onDisconnect.push(l) };
  /** What the frame sends. */
  emit(message: unknown): void {
    for (const l of this.#onMessage) l(structuredClone(message));
  }
  /** Sends a request (or an admin command) and waits for its answer. */
  async call(method: string, params: unknown = {}, type = 'request'): Promise<Reply> {
    const id = `q${++this.#next}`;
    this.emit(
      type === 'admin'
        ? { type, id, command: method, args: params }
        : requestEnvelope({ id, method, params }),
    );
    for (let i = 0; i < this.#patience; i++) {
      const reply = this.received.find((r) => (r.kind === 'result' || r.kind === 'error') && r.id === id);
      if (reply) return reply as Reply;
      await tick();
    }
    throw new Error(`no answer to ${method}`);
  }
  events(type?: string): unknown[] {
    return this.received
      .filter((r) => r.kind === 'event' && (!type || r.event.type === type))
      .map((r) => (r as { event: unknown }).event);
  }
}

/** The result of a reply, asserting it is one. */
export function resultOf<T>(reply: BridgeReply): T {
  assert.equal(reply.kind, 'result', JSON.stringify(reply));
  return (reply as { result: T }).result;
}

/** Asserts the reply is a NotApprovedError (forbidden, notApproved). */
export function assertNotApproved(reply: BridgeReply, what: string): void {
  assert.equal(reply.kind, 'error', `${what}: ${JSON.stringify(reply)}`);
  const { error } = reply as { error: { code: string; notApproved?: boolean } };
  assert.equal(error.code, 'forbidden', what);
  assert.equal(error.notApproved, true, what);
}

export interface HubSetup {
  /** What replaces the fake platform's defaults (which do nothing). */
  platform?: Partial<Platform>;
  /** Further dependencies of the hub (e.g. its sign-in window). */
  deps?: Partial<HubDeps>;
  /** How many ticks each port's `call` waits for an answer. */
  patience?: number;
}

/**
 * A hub over fake storage, a fake prompt window and the loopback SDK, with the popup's port open
 * and nobody signed in. `open` connects a port; `site` is a site's page (its content script's
 * port) in tab `tabId`; `sealedFrame` the sealed room page framed by `origin`'s page there.
 */
export async function createHub({ platform, deps, patience }: HubSetup = {}) {
  const local = new FakeArea();
  const approvals = await ApprovalStore.load(local);
  const window = new FakeWindow();
  const prompts = new ApprovalPrompts(window);
  let hub: Hub | undefined;
  const account = new Account({
    backend: new ExtensionStorageBackend(local),
    sessions: createLoopbackFactory(),
    unlockCache: new MemoryUnlockCache(),
    argon2: CHEAP,
    onState: (s) => hub?.accountChanged(s),
    onEvent: (t, d) => hub?.sessionEvent(t, d),
  });
  hub = new Hub({
    platform: {
      extension: EXT,
      roomPageUrl: (roomId) => `${EXT.origin}/sealed-room.html?room=${roomId}`,
      ownRoomPageUrl: (roomId) => `${EXT.origin}/room.html?room=${roomId}`,
      showNotification: async () => undefined,
      focusTab: async () => undefined,
      openTab: async () => undefined,
      setPending: () => undefined,
      ...platform,
    },
    account,
    approvals,
    prompts,
    settings: new SettingsStore(local),
    sdkAvailable: true,
    ready: account.restore(),
    settingsChanged: () => undefined,
    ...deps,
  });
  const open = (name: string, sender: SenderLike): FakePort => {
    const port = new FakePort(name, sender, patience);
    hub!.connect(port);
    return port;
  };
  const site = (origin: string, tabId: number, visible = true): FakePort => {
    const port = open(BRIDGE_PORT, {
      id: EXT.id,
      origin,
      url: `${origin}/app`,
      tab: { id: tabId },
      frameId: 0,
    });
    port.emit({ type: 'frame', state: { visible, connected: false, focusedRoom: null } });
    return port;
  };
  const sealedFrame = (origin: string, tabId: number, roomId: string): FakePort =>
    open(sealedPortName({ ancestors: [origin], parentIsTop: true }), {
      id: EXT.id,
      url: `${EXT.origin}/sealed-room.html?room=${roomId}`,
      tab: { id: tabId, url: `${origin}/app` },
      frameId: 3,
    });
  const popup = open(PAGE_PORT, { id: EXT.id, url: `${EXT.origin}/popup.html` });
  return { hub, account, approvals, prompts, window, popup, open, site, sealedFrame };
}

/** A hub with a signed-in account (through the popup); `opened` lists the extension tabs it opened. */
export async function startHub(setup: HubSetup = {}) {
  const opened: string[] = [];
  const h = await createHub({
    ...setup,
    platform: {
      openTab: async (url) => {
        opened.push(url);
      },
      ...setup.platform,
    },
  });
  const { window, popup } = h;
  /** The id of the next question the window shows, once it is open. */
  const nextQuestion = async (): Promise<string> => {
    for (let i = 0; i < 100 && window.opened.length === 0; i++) await tick();
    const id = window.opened.shift();
    assert.ok(id, 'a question was opened');
    return id;
  };
  /** Answers the next question from the approval window (an admin page); returns what it asked. */
  const answerNext = async (decision: string) => {
    const id = await nextQuestion();
    const view = resultOf<Record<string, unknown>>(await popup.call('approval', { id }, 'admin'));
    resultOf(await popup.call('answerApproval', { id, decision }, 'admin'));
    return view;
  };
  resultOf(await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' }));
  return { ...h, answerNext, opened };
}
