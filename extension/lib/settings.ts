/**
 * The user's extension settings, kept in extension storage: message previews in notifications,
 * the idle time after which the keys are locked, and the RoomKey server (gateway) the extension
 * signs in to. Only the extension's own pages change them (admin commands); no site can.
 * @example const settings = new SettingsStore(browser.storage.local); await settings.set({ previews: true });
 */
import { MalformedError } from '../../core/errors.ts';
import type { StorageAreaLike } from '../../core/store/index.ts';
import { checkDnsSetting, DEFAULT_DNS_SETTINGS, type DnsSettings } from './dns-settings.ts';

export interface Settings extends DnsSettings {
  /** Show the sender and the message text in notifications (else only "New message"). */
  previews: boolean;
  /** Lock the keys after this many minutes without input on the computer; 0 = never. */
  idleLockMinutes: number;
  /**
   * The gateway the sign-in forms start with: the one last used to sign in (an absolute http(s)
   * URL), or null. A site's data-gateway is never written here; the sign-in window only shows it.
   */
  gateway: string | null;
}

/** Off by default: a notification can be read by anyone near the screen. */
export const DEFAULT_SETTINGS: Settings = {
  previews: false,
  idleLockMinutes: 15,
  gateway: null,
  ...DEFAULT_DNS_SETTINGS,
};
/** Longest gateway URL kept (as the bridge allows). */
export const MAX_GATEWAY_CHARS = 2048;
/** Most minutes the idle lock can be set to (one day). */
export const MAX_IDLE_LOCK_MINUTES = 24 * 60;

const KEY = 'roomkey:settings';

/**
 * Checks a settings change from the popup; unknown keys and bad values are a MalformedError.
 * @example const patch = checkSettingsPatch({ previews: true });
 */
export function checkSettingsPatch(raw: Record<string, unknown>): Partial<Settings> {
  const patch: Partial<Settings> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'previews') {
      if (typeof value !== 'boolean') throw new MalformedError('settings: previews must be a boolean');
      patch.previews = value;
    } else if (key === 'idleLockMinutes') {
      if (
        !Number.isSafeInteger(value) ||
        (value as number) < 0 ||
        (value as number) > MAX_IDLE_LOCK_MINUTES
      ) {
        throw new MalformedError(`settings: idleLockMinutes must be 0..${MAX_IDLE_LOCK_MINUTES}`);
      }
      patch.idleLockMinutes = value as number;
    } else if (key === 'gateway') {
      patch.gateway = value === null ? null : checkGateway(value);
    } else if (key === 'dnsPolicy' || key === 'dohResolver') {
      Object.assign(patch, checkDnsSetting(key, value));
    } else {
      throw new MalformedError(`settings: unknown setting ${JSON.stringify(key).slice(0, 40)}`);
    }
  }
  return patch;
}

/**
 * A gateway URL as kept: absolute http(s), no credentials, normalized (`https://a.example/`).
 * Throws MalformedError with what to type instead.
 * @example const gateway = checkGateway('https://rooms.example.com');
 */
export function checkGateway(value: unknown): string {
  const bad = (): MalformedError =>
    new MalformedError('The RoomKey server must be a web address such as https://rooms.example.com/');
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_GATEWAY_CHARS) throw bad();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad();
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) throw bad();
  return url.href;
}

/**
 * Settings over a storage area. Whatever is stored is read leniently: a damaged value falls back
 * to its default rather than breaking the extension.
 * @example const { previews } = await settings.get();
 */
export class SettingsStore {
  readonly #area: StorageAreaLike;
  #cache: Settings | undefined;

  constructor(area: StorageAreaLike) {
    this.#area = area;
  }

  async get(): Promise<Settings> {
    if (this.#cache) return { ...this.#cache };
    const stored = (await this.#area.get(KEY))[KEY];
    let patch: Partial<Settings> = {};
    try {
      if (typeof stored === 'object' && stored !== null)
        patch = checkSettingsPatch(stored as Record<string, unknown>);
    } catch {
      patch = {};
    }
    this.#cache = { ...DEFAULT_SETTINGS, ...patch };
    return { ...this.#cache };
  }

  async set(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...(await this.get()), ...checkSettingsPatch(patch as Record<string, unknown>) };
    await this.#area.set({ [KEY]: next });
    this.#cache = next;
    return { ...next };
  }
}
