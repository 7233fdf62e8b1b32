/**
 * Wires the background to the browser. Every listener is registered synchronously at start (an
 * MV3 worker is woken by the events it had listeners for at its first run); state is restored
 * from storage behind `ready`, which every message waits for. Works as Chrome's MV3 service
 * worker (may be stopped at any time: the unlocked state survives in storage.session) and as
 * Firefox's persistent background page (never stopped: the unlocked store stays in memory).
 * @example defineBackground(() => startBackground());
 */
import { browser } from 'wxt/browser';
import { defaultDeviceName, deletedBy, type StoredMessage } from '../../core/client/index.ts';
import { ExtensionStorageBackend } from '../../core/store/index.ts';
import { Account } from './account.ts';
import { ApprovalPrompts } from './approval-prompts.ts';
import { ApprovalStore } from './approvals.ts';
import { DnsGuard } from './dns-guard.ts';
import { browserDnsProbes } from './dns-probes.ts';
import { DnsRecheck } from './dns-recheck.ts';
import { saveDnsStatus } from './dns-status.ts';
import { type Hub, Hub as HubClass, type PortLike } from './hub.ts';
import { idleDetectionSeconds, shouldLock } from './idle-lock.ts';
import { ShownNotifications } from './notifications-read.ts';
import { createSessionFactory } from './sdk-wiring.ts';
import { type Settings, SettingsStore } from './settings.ts';
import { SignInWindow } from './sign-in-window.ts';
import { MemoryUnlockCache, SessionUnlockCache, type UnlockCache } from './unlock-cache.ts';
import { VerifyWindow } from './verify-window.ts';

/** A service worker can be stopped at any moment; a background page cannot. */
function isServiceWorker(): boolean {
  const scope = (globalThis as { ServiceWorkerGlobalScope?: new () => unknown }).ServiceWorkerGlobalScope;
  return typeof scope === 'function' && globalThis instanceof scope;
}

/** This device's default name ("RoomKey extension in Chromium"): sealed, the gateway never reads it. */
function deviceName(): string {
  return defaultDeviceName(globalThis.navigator?.userAgent ?? '', { extension: true });
}

/** storage.session: the frames registered with the hub, for a restarted worker. */
const REGISTERED = 'roomkey-hub:registered';

const log = (what: string, error: unknown): void => console.warn(`RoomKey background: ${what}:`, error);

/**
 * Starts the background: account, approvals, settings, the hub and every browser listener.
 * @example startBackground();
 */
export function startBackground(): Hub {
  const local = browser.storage.local;
  const sessionArea = browser.storage.session;
  const worker = isServiceWorker();
  const unlockCache: UnlockCache =
    worker && sessionArea ? new SessionUnlockCache(sessionArea) : new MemoryUnlockCache();
  const settings = new SettingsStore(local);
  // The DNS policy runs just before every connection the session factory opens.
  const dnsGuard = new DnsGuard({
    probes: browserDnsProbes(browser),
    settings: () => settings.get(),
    onStatus: (status) => {
      void saveDnsStatus(sessionArea ?? local, status).catch((error) => log('DNS status', error));
      // Pages get the words only: no addresses, no resolver.
      hub?.dnsChanged({ private: status.private, text: status.text });
    },
  });
  // …and again after each reconnect and each change of the policy or resolver; a refusal under
  // require has closed the connection already, and locking ends the session (no silent fallback).
  const dnsRecheck = new DnsRecheck({
    guard: dnsGuard,
    onRefused: ({ session }, error) => {
      log('Private DNS refused the reconnected session', error.message);
      let running: unknown;
      try {
        running = account.session();
      } catch {
        return; // locked or signed out meanwhile
      }
      if (running === session) void account.lock().catch((e: unknown) => log('DNS lock', e));
    },
    onError: (error) => log('DNS re-check', error),
  });
  const sessions = createSessionFactory({
    area: local,
    deviceName: deviceName(),
    onError: (error) => log('session', error),
    beforeConnect: (gateway, cfg) => dnsGuard.check(gateway, cfg),
    afterConnect: ({ gateway, cfg, session }) =>
      void dnsRecheck.follow({ session, gateway, cfg, connection: session.sdk.nc }),
  });
  const approvals = new ApprovalStore(local);
  // getURL('/') minus the slash: new URL(...).origin may be "null" for extension schemes.
  const origin = browser.runtime.getURL('/').replace(/\/$/, '');
  const action =
    browser.action ?? (browser as unknown as { browserAction?: typeof browser.action }).browserAction;

  const prompts = new ApprovalPrompts({
    open: async (id) =>
      (
        await browser.windows.create({
          url: browser.runtime.getURL(`/approve.html?id=${id}`),
          type: 'popup',
          width: 460,
          height: 560,
          focused: true,
        })
      )?.id,
    close: async (windowId) => {
      await browser.windows.remove(windowId);
    },
    focus: async (windowId) => {
      await browser.windows.update(windowId, { focused: true, drawAttention: true });
    },
  });

  // Its own window, never a frame of the asking site: nothing can be laid over the password field.
  const signInWindow = new SignInWindow({
    open: async (path) =>
      (
        await browser.windows.create({
          url: browser.runtime.getURL(path as '/sign-in.html'),
          type: 'popup',
          width: 420,
          height: 560,
          focused: true,
        })
      )?.id,
    focus: async (windowId) => {
      await browser.windows.update(windowId, { focused: true });
    },
  });

  // Verifying a contact is the user's act in extension UI: its own window, like sign-in's.
  const verifyWindow = new VerifyWindow({
    open: async (path) =>
      (
        await browser.windows.create({
          url: browser.runtime.getURL(path as '/verify.html'),
          type: 'popup',
          width: 460,
          height: 720,
          focused: true,
        })
      )?.id,
    focus: async (windowId) => {
      await browser.windows.update(windowId, { focused: true });
    },
    close: async (windowId) => {
      await browser.windows.remove(windowId);
    },
  });

  const shown: { id: string; title: string; message: string }[] = [];
  // OS notifications close when their room is read on another device (or in a tab here).
  const osNotifications = new ShownNotifications();
  const closeRead = ({ roomId, seq }: { roomId: string; seq: number }) => {
    for (const id of osNotifications.read(roomId, seq))
      void browser.notifications.clear(id).catch((error: unknown) => log('notification close', error));
  };
  // …and when their message is deleted by its author: its text must not stay on screen.
  const closeDeleted = (message: StoredMessage) => {
    osNotifications.seen(message);
    if (!('senderUserId' in message)) return;
    const target = deletedBy(message);
    const id = target && osNotifications.deleted(message.roomId, target, message.senderUserId);
    if (id) void browser.notifications.clear(id).catch((error: unknown) => log('notification close', error));
  };
  let hub: Hub | undefined;
  const account = new Account({
    backend: new ExtensionStorageBackend(local),
    sessions,
    unlockCache,
    onState: (state) => hub?.accountChanged(state),
    onEvent: (type, detail) => {
      if (type === 'message') closeDeleted(detail as StoredMessage);
      if (type === 'read') closeRead(detail as { roomId: string; seq: number });
      else hub?.sessionEvent(type, detail);
    },
  });

  const applyIdle = (s: Settings): void => {
    const seconds = idleDetectionSeconds(s.idleLockMinutes);
    if (seconds !== undefined) browser.idle?.setDetectionInterval(seconds);
  };

  // Independent reads, side by side: the account's resume (store, config fetch, connect) does not
  // wait for the approvals and settings to load, and every message waits for all three.
  const ready = Promise.all([
    approvals.load(),
    settings.get().then(applyIdle),
    account.restore().catch((error) => log('could not restore the unlocked session', error)),
  ]).then(() => undefined);

  hub = new HubClass({
    platform: {
      extension: { id: browser.runtime.id, origin },
      // Chromium: the per-session dynamic URL (use_dynamic_url in wxt.config.ts).
      roomPageUrl: (roomId) => `${browser.runtime.getURL('/sealed-room.html')}?room=${roomId}`,
      ownRoomPageUrl: (roomId) => `${browser.runtime.getURL('/room.html')}?room=${roomId}`,
      showNotification: async (id, title, message) => {
        // e2e builds keep what was shown: a headless browser offers no way to read it back.
        if (__ROOMKEY_E2E__) shown.push({ id, title, message });
        osNotifications.shown(id);
        await browser.notifications.create(id, {
          type: 'basic',
          iconUrl: browser.runtime.getURL('/icon/128.png'),
          title,
          message,
        });
      },
      focusTab: async (tabId) => {
        const tab = await browser.tabs.update(tabId, { active: true });
        if (tab?.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
      },
      openTab: async (url) => {
        await browser.tabs.create({ url });
      },
      setPending: (count) => {
        action?.setBadgeText({ text: count > 0 ? String(count) : '' })?.catch?.(() => undefined);
      },
      registered:
        worker && sessionArea
          ? {
              load: async () => {
                const keys = (await sessionArea.get(REGISTERED))[REGISTERED];
                return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
              },
              save: (keys) => void sessionArea.set({ [REGISTERED]: keys }).catch(() => undefined),
            }
          : undefined,
    },
    account,
    approvals,
    prompts,
    settings,
    sdkAvailable: sessions.available,
    ready,
    settingsChanged: (changed) => {
      applyIdle(changed);
      dnsRecheck.settingsChanged(changed);
    },
    signInWindow,
    verifyWindow,
  });
  const theHub = hub;

  browser.runtime.onConnect.addListener((port: unknown) => theHub.connect(port as PortLike));
  browser.notifications.onClosed?.addListener((id: string) => osNotifications.gone(id));
  browser.notifications.onClicked.addListener((id: string) => {
    osNotifications.gone(id);
    void theHub.notificationClicked(id).then(
      () => browser.notifications.clear(id),
      (error) => log('notification click', error),
    );
  });
  browser.windows.onRemoved.addListener((windowId: number) => prompts.windowClosed(windowId));
  browser.windows.onRemoved.addListener((windowId: number) => signInWindow.closed(windowId));
  browser.windows.onRemoved.addListener((windowId: number) => verifyWindow.closed(windowId));
  browser.idle?.onStateChanged.addListener((state: string) => {
    void ready
      .then(() => settings.get())
      .then((s) => (shouldLock(state, s.idleLockMinutes) ? account.lock() : undefined))
      .catch((error) => log('idle lock', error));
  });

  if (__ROOMKEY_E2E__) {
    Object.assign(globalThis, {
      roomkeyE2E: {
        hub: theHub,
        account,
        approvals,
        settings,
        prompts,
        ready,
        shown,
        osNotifications,
        dnsGuard,
        dnsRecheck,
        startedAt: Date.now(),
      },
    });
  }
  return theHub;
}
