/**
 * The user's answers to "site X wants to use RoomKey" and "site X wants room Y", remembered in
 * extension storage (one item, so every change is one atomic write). A site grant lets the site
 * see the account state and create rooms; a room grant is `read` (the page gets the room's
 * messages and may send) or `sealed` (only the extension's iframe shows them). A `sealed` grant
 * approves nothing else: a site that only ever showed sealed rooms stays unapproved (`rooms-only`),
 * so its page gets nothing. No grant covers membership changes (lib/access.ts asks for each one).
 * Denials are remembered too, so a declined site cannot keep asking; revoking forgets both.
 * @example const approvals = await ApprovalStore.load(browser.storage.local); approvals.roomAccess(origin, roomId);
 */
import type { RoomAccess } from '../../core/bridge/index.ts';
import { SerialQueue } from '../../core/serial.ts';
import type { StorageAreaLike } from '../../core/store/index.ts';
import { ORIGIN_PATTERN, ROOM_ID_PATTERN, type SiteView } from './messages.ts';

export type SiteDecision = 'granted' | 'denied';
export type RoomDecision = RoomAccess | 'denied';

interface RoomRecord {
  access: RoomDecision;
  /** The page where the site last showed the room: where a notification click opens it. */
  url: string | null;
  atMs: number;
  /** The user kept `sealed` access but declined `read`: the page is not asked again. */
  readDenied?: boolean;
}

interface SiteRecord {
  /** null: the user never answered for the site itself (it only has sealed rooms, or denied ones). */
  site: SiteDecision | null;
  rooms: Record<string, RoomRecord>;
  atMs: number;
}

interface Data {
  version: 1;
  sites: Record<string, SiteRecord>;
}

const KEY = 'roomkey:approvals';

/** Stored data is checked entry by entry: a damaged entry is dropped (the site asks again), never trusted. */
function parse(raw: unknown): Data {
  const data: Data = { version: 1, sites: {} };
  const sites = (raw as { sites?: unknown } | undefined)?.sites;
  if (typeof sites !== 'object' || sites === null) return data;
  for (const [origin, value] of Object.entries(sites)) {
    const site = value as Partial<SiteRecord> | null;
    if (!ORIGIN_PATTERN.test(origin) || !site || !['granted', 'denied', null].includes(site.site as string))
      continue;
    const rooms: Record<string, RoomRecord> = {};
    for (const [roomId, room] of Object.entries(site.rooms ?? {})) {
      const r = room as Partial<RoomRecord> | null;
      if (!ROOM_ID_PATTERN.test(roomId) || !r || !['read', 'sealed', 'denied'].includes(r.access as string))
        continue;
      rooms[roomId] = {
        access: r.access as RoomDecision,
        url: typeof r.url === 'string' ? r.url : null,
        atMs: Number(r.atMs) || 0,
        ...(r.readDenied === true && r.access === 'sealed' ? { readDenied: true } : {}),
      };
    }
    if (site.site === null && Object.keys(rooms).length === 0) continue;
    data.sites[origin] = { site: site.site as SiteDecision | null, rooms, atMs: Number(site.atMs) || 0 };
  }
  return data;
}

/**
 * Approvals held in memory after one load and written through on every change, so the
 * background can filter each event synchronously. Changes are applied one after another.
 * @example await approvals.grantRoom('https://app.example', roomId, 'read');
 */
export class ApprovalStore {
  readonly #area: StorageAreaLike;
  #data: Data = { version: 1, sites: {} };
  readonly #writes = new SerialQueue();
  readonly #now: () => number;

  /** Empty until `load()`: the background builds it synchronously and loads it while starting. */
  constructor(area: StorageAreaLike, now: () => number = Date.now) {
    this.#area = area;
    this.#now = now;
  }

  /**
   * A store with the approvals read from `area`.
   * @example const approvals = await ApprovalStore.load(browser.storage.local);
   */
  static async load(area: StorageAreaLike, now: () => number = Date.now): Promise<ApprovalStore> {
    const store = new ApprovalStore(area, now);
    await store.load();
    return store;
  }

  /** (Re)reads the approvals from storage. */
  async load(): Promise<void> {
    this.#data = parse((await this.#area.get(KEY))[KEY]);
  }

  /** The user's answer for the site itself, if any (room grants are not one). */
  site(origin: string): SiteDecision | undefined {
    return this.#data.sites[origin]?.site ?? undefined;
  }

  /** The user's answer for the site and room (a blocked site denies every room). */
  room(origin: string, roomId: string): RoomDecision | undefined {
    const site = this.#data.sites[origin];
    if (site?.site === 'denied') return 'denied';
    return site?.rooms[roomId]?.access;
  }

  /** Whether the user declined `read` for a room the site keeps `sealed` access to. */
  readDenied(origin: string, roomId: string): boolean {
    return this.#data.sites[origin]?.rooms[roomId]?.readDenied === true;
  }

  /** The access the site has to the room, or undefined when it has none. */
  roomAccess(origin: string, roomId: string): RoomAccess | undefined {
    const decision = this.room(origin, roomId);
    return decision === 'denied' ? undefined : decision;
  }

  /** Sites with access to the room, most recently shown first, with where they showed it. */
  sitesWithRoom(roomId: string): { origin: string; access: RoomAccess; url: string | null; atMs: number }[] {
    const out: { origin: string; access: RoomAccess; url: string | null; atMs: number }[] = [];
    for (const [origin, site] of Object.entries(this.#data.sites)) {
      const room = site.rooms[roomId];
      if (site.site !== 'denied' && room && room.access !== 'denied') {
        out.push({ origin, access: room.access, url: room.url, atMs: room.atMs });
      }
    }
    return out.sort((a, b) => b.atMs - a.atMs);
  }

  /** Everything, for the popup. */
  list(): SiteView[] {
    return Object.entries(this.#data.sites)
      .map(
        ([origin, s]): SiteView => ({
          origin,
          site: s.site ?? 'rooms-only',
          rooms: Object.entries(s.rooms).map(([roomId, r]) => ({ roomId, access: r.access, url: r.url })),
        }),
      )
      .sort((a, b) => a.origin.localeCompare(b.origin));
  }

  grantSite(origin: string): Promise<void> {
    return this.#change((d) => {
      const site = d.sites[origin];
      d.sites[origin] = { site: 'granted', rooms: site?.rooms ?? {}, atMs: this.#now() };
    });
  }

  /** Blocks the site: every request of it is refused without asking again, until revoked. */
  denySite(origin: string): Promise<void> {
    return this.#change((d) => {
      d.sites[origin] = { site: 'denied', rooms: {}, atMs: this.#now() };
    });
  }

  /**
   * Grants the room; `read` includes `sealed`, and a grant never narrows. `read` is only ever
   * asked of an approved site, and keeps it approved; `sealed` leaves the site's own answer as it
   * was (the page of a site that only frames sealed rooms stays unapproved).
   */
  grantRoom(origin: string, roomId: string, access: RoomAccess): Promise<void> {
    return this.#change((d) => {
      const site: SiteRecord = d.sites[origin] ?? { site: null, rooms: {}, atMs: 0 };
      const had = site.rooms[roomId];
      const keep = had?.access === 'read' ? 'read' : access;
      if (keep === 'read') site.site = 'granted';
      site.atMs = this.#now();
      site.rooms[roomId] = { access: keep, url: had?.url ?? null, atMs: this.#now() };
      d.sites[origin] = site;
    });
  }

  /** Declines the room; declining `read` of a room with `sealed` access keeps the sealed access. */
  denyRoom(origin: string, roomId: string): Promise<void> {
    return this.#change((d) => {
      const site: SiteRecord = d.sites[origin] ?? { site: null, rooms: {}, atMs: this.#now() };
      const had = site.rooms[roomId];
      site.rooms[roomId] =
        had?.access === 'sealed'
          ? { ...had, readDenied: true }
          : { access: 'denied', url: null, atMs: this.#now() };
      d.sites[origin] = site;
    });
  }

  /** Remembers where the site shows the room (only for a room it has access to). */
  rememberUrl(origin: string, roomId: string, url: string): Promise<void> {
    const room = this.#data.sites[origin]?.rooms[roomId];
    if (!room || room.access === 'denied' || room.url === url) return Promise.resolve();
    return this.#change((d) => {
      const r = d.sites[origin]?.rooms[roomId];
      if (r && r.access !== 'denied') {
        r.url = url.slice(0, 2048);
        r.atMs = this.#now();
      }
    });
  }

  /** Forgets everything about the site: grants and denials. */
  revokeSite(origin: string): Promise<void> {
    return this.#change((d) => {
      delete d.sites[origin];
    });
  }

  /** Forgets the site's answer for one room (and the site, when nothing else was answered for it). */
  revokeRoom(origin: string, roomId: string): Promise<void> {
    return this.#change((d) => {
      const site = d.sites[origin];
      if (!site) return;
      delete site.rooms[roomId];
      if (site.site === null && Object.keys(site.rooms).length === 0) delete d.sites[origin];
    });
  }

  /** Forgets every answer (sign-out: the next account starts with no site approved). */
  clear(): Promise<void> {
    return this.#change((d) => {
      d.sites = {};
    });
  }

  #change(mutate: (data: Data) => void): Promise<void> {
    return this.#writes.run(async () => {
      const next = structuredClone(this.#data);
      mutate(next);
      await this.#area.set({ [KEY]: next });
      this.#data = next;
    });
  }
}
