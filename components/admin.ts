import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import type { LevelPolicy, PolicyTarget } from '../core/client/index.ts';
import { isDeviceIdleDays, Role, roleOf } from '../core/policy/index.ts';
import type { roomkey } from '../proto/index.ts';
import { type AdminPort, adminPortFor } from './admin-port.ts';
import {
  effectiveView,
  grantFormView,
  grantsView,
  RULE_FIELDS,
  roleLabel,
  rulesView,
} from './admin-views.ts';
import { ClientController } from './client/client-controller.ts';
import type { RoomKeyClient } from './client/types.ts';
import { errorText } from './private-errors.ts';
import { base } from './private-styles.ts';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `ORG`, `ORG/PROJECT` or `room:ID` as a target; undefined when it is none of these. */
function targetOf(text: string): PolicyTarget | undefined {
  const value = text.trim();
  if (value.startsWith('room:'))
    return value.length > 5 ? { level: 'room', roomId: value.slice(5) } : undefined;
  const [orgId = '', projectId, extra] = value.split('/');
  if (extra !== undefined || !ID.test(orgId) || (projectId !== undefined && !ID.test(projectId)))
    return undefined;
  return projectId === undefined ? { level: 'org', orgId } : { level: 'project', orgId, projectId };
}

function title(target: PolicyTarget): string {
  if (target.level === 'room') return `Room ${target.roomId}`;
  return target.level === 'org' ? `Org ${target.orgId}` : `Project ${target.orgId}/${target.projectId}`;
}

interface Loaded {
  target: PolicyTarget;
  level: LevelPolicy;
  role: number;
  names: Map<string, string>;
  explained: roomkey.v1.PolicyExplainResponse.$Properties | undefined;
}

/**
 * The admin console of an organisation: open an org (`acme`), a project (`acme/web`) or a room
 * (`room:ID`); create an org or, as its admin, a project; grant and take away roles (owner, admin,
 * member, guest); set the rules of that level (who may create rooms, invite, remove, rotate, read
 * history from before joining, and a forced key rotation interval); and see the rules in force at
 * a project or room with the reason for each ("denied by the project rule invite: admin or above
 * (you are member)"). Only what the signed-in user's role allows is offered; the gateway checks
 * every request anyway. Works with the in-page client; with the RoomKey extension it says where to
 * administer instead (admin acts are management acts, which the extension does not give pages).
 *
 * @tagname roomkey-admin
 * @summary Orgs, projects, roles and rules, and why a rule allows or denies.
 *
 * @attr place - What to open first: ORG, ORG/PROJECT or room:ROOM_ID.
 *
 * @csspart open-form - The form that opens a place; `place` its field, `open` its button.
 * @csspart create-org-form - The form that makes an org; `new-org` its field, `create-org` its button.
 * @csspart create-project-form - The form that makes a project in the open org (admins).
 * @csspart your-role - The signed-in user's role at the open place.
 * @csspart grants - The roles granted at this level; `role-grant` one of them, `remove-grant` its button.
 * @csspart grant-form - Grant a role (admins): `grant-user`, `grant-role`, `grant`.
 * @csspart rules - The rules of this level as text (for those who may not change them).
 * @csspart rules-form - The rules of this level to change (admins): `rule`, `rotate-every`, `idle-days` (orgs: sign out devices unused that many days), `save-rules`.
 * @csspart effective - The rules in force with their reasons; `effective-rule`, `reason`.
 * @csspart status - What is happening, in words (aria-live).
 * @csspart error - The error message.
 *
 * @cssprop --roomkey-muted - Secondary text color.
 */
export class RoomKeyAdmin extends LitElement {
  static override properties = {
    client: { attribute: false },
    place: { type: String },
    _loaded: { state: true },
    _status: { state: true },
    _error: { state: true },
    _busy: { state: true },
    _unsupported: { state: true },
  };

  static override styles = [
    base,
    css`
      :host {
        display: block;
      }
      section,
      form {
        display: flex;
        flex-direction: column;
        gap: 0.6em;
      }
      form {
        align-items: flex-start;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.4em;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.5em;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.2em 1em;
        margin: 0;
      }
      dd {
        margin: 0;
      }
      .name {
        font-weight: 600;
      }
      .hint {
        color: var(--roomkey-muted, #4a4f57);
      }
      .error {
        color: var(--roomkey-danger, #b3261e);
      }
    `,
  ];

  declare client: RoomKeyClient | undefined;
  declare place: string;
  declare _loaded: Loaded | undefined;
  declare _status: string;
  declare _error: string;
  declare _busy: boolean;
  declare _unsupported: string;

  readonly #clients = new ClientController(this, {
    onClient: () => this.#reset(),
    onEvent: (type) => (type === 'keys' || type === 'session') && this.#reset(),
  });

  constructor() {
    super();
    this.place = '';
    this._status = '';
    this._error = '';
    this._busy = false;
    this._unsupported = '';
  }

  override willUpdate(): void {
    this.#clients.sync();
  }

  #reset(): void {
    this._loaded = undefined;
    this._error = '';
    this._status = '';
    this._unsupported = '';
    const client = this.#clients.client;
    if (client?.keys !== 'ready') return;
    adminPortFor(client).then(
      () => this.place && this.#open(this.place),
      (error: unknown) => (this._unsupported = errorText(error)),
    );
  }

  override render(): TemplateResult | typeof nothing {
    const client = this.#clients.client;
    if (!client) return nothing;
    if (this._unsupported)
      return html`<section><p part="status" class="hint">${this._unsupported}</p></section>`;
    if (client.keys !== 'ready')
      return html`<section><p part="status" class="hint">Sign in to administer your organisations.</p></section>`;
    return html`<section aria-label="Organisation administration">
      <h2>Administration</h2>
      <form part="open-form" @submit=${this.#onOpen}>
        <label>Org, project or room (acme, acme/web or room:ID)
          <input part="place" name="place" autocomplete="off" required .value=${this.place} />
        </label>
        <button part="open" type="submit" ?disabled=${this._busy}>Open</button>
      </form>
      <form part="create-org-form" @submit=${this.#onCreateOrg}>
        <label>New org id <input part="new-org" name="org" autocomplete="off" required /></label>
        <button part="create-org" class="secondary" type="submit" ?disabled=${this._busy}>Create org</button>
      </form>
      ${this._loaded ? this.#loadedView(this._loaded) : nothing}
      <p part="status" role="status" aria-live="polite">${this._status}</p>
      <p part="error" class="error" role="alert">${this._error}</p>
    </section>`;
  }

  #loadedView(loaded: Loaded): TemplateResult {
    const { target, level, role, names, explained } = loaded;
    const canEdit = role >= Role.admin;
    const from = explained?.roleLevel ? ` (granted at the ${explained.roleLevel} level)` : '';
    return html`<section aria-label=${title(target)}>
      <h3>${title(target)}</h3>
      <p part="your-role">Your role here: ${roleLabel(role)}${from}</p>
      ${
        target.level === 'org' && canEdit
          ? html`<form part="create-project-form" @submit=${this.#onCreateProject}>
              <label>New project id <input part="new-project" name="project" autocomplete="off" required /></label>
              <button part="create-project" class="secondary" type="submit" ?disabled=${this._busy}>Create project</button>
            </form>`
          : nothing
      }
      <h3>Roles at this level</h3>
      ${grantsView({ grants: level.grants, names, canEdit, callerRole: role, onRemove: (id) => this.#onRemove(id) })}
      ${canEdit ? grantFormView({ callerRole: role, onGrant: this.#onGrant }) : nothing}
      <h3>Rules at this level</h3>
      ${rulesView({ rules: level.rules, canEdit, isOrg: target.level === 'org', onSave: this.#onSaveRules })}
      ${
        explained
          ? html`<h3>In force here for you</h3>
              ${effectiveView(explained)}`
          : target.level === 'org'
            ? html`<p class="hint">Rules are in force in projects and rooms: open one to see them and why.</p>`
            : nothing
      }
    </section>`;
  }

  async #port(): Promise<AdminPort> {
    const client = this.#clients.client;
    if (!client) throw new Error('No RoomKey client on this page.');
    return adminPortFor(client);
  }

  /** Runs an admin act with the busy flag, status and error lines; reloads the open place after. */
  async #act(
    doing: string,
    act: (admin: AdminPort) => Promise<string>,
    reload?: PolicyTarget,
  ): Promise<void> {
    this._busy = true;
    this._error = '';
    this._status = doing;
    try {
      const admin = await this.#port();
      const done = await act(admin);
      const target = reload ?? this._loaded?.target;
      if (target) this._loaded = await this.#load(admin, target);
      this._status = done;
    } catch (error) {
      this._status = '';
      this._error = errorText(error);
    } finally {
      this._busy = false;
    }
  }

  async #load(admin: AdminPort, target: PolicyTarget): Promise<Loaded> {
    const [chain, level] = await Promise.all([admin.chain(target), admin.level(target)]);
    const userId = this.#clients.session?.userId ?? '';
    const role = roleOf(userId, chain);
    const explained = target.level === 'org' ? undefined : await admin.explain(target);
    const ids = [...new Set(level.grants.map((g) => g.userId ?? ''))];
    const names = new Map(
      await Promise.all(ids.map(async (id) => [id, await admin.usernameOf(id)] as const)),
    );
    return { target, level, role, names, explained };
  }

  #open(text: string): void {
    const target = targetOf(text);
    if (!target) {
      this._error = `“${text}” is not a place: write an org id, org/project, or room: and the room id.`;
      return;
    }
    this.place = text.trim();
    void this.#act('Opening…', async () => `Showing ${title(target)}.`, target);
  }

  readonly #onOpen = (event: SubmitEvent): void => {
    event.preventDefault();
    this.#open(String(new FormData(event.target as HTMLFormElement).get('place') ?? ''));
  };

  readonly #onCreateOrg = (event: SubmitEvent): void => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const orgId = String(new FormData(form).get('org') ?? '').trim();
    if (!ID.test(orgId)) {
      this._error = 'An org id is 1 to 64 letters, digits, “_” or “-”.';
      return;
    }
    this.place = orgId;
    void this.#act(
      'Creating the org…',
      async (admin) => {
        await admin.createOrg(orgId);
        form.reset();
        return `Made org ${orgId}: you are its owner.`;
      },
      { level: 'org', orgId },
    );
  };

  readonly #onCreateProject = (event: SubmitEvent): void => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const target = this._loaded?.target;
    const projectId = String(new FormData(form).get('project') ?? '').trim();
    if (target?.level !== 'org') return;
    if (!ID.test(projectId)) {
      this._error = 'A project id is 1 to 64 letters, digits, “_” or “-”.';
      return;
    }
    const project: PolicyTarget = { level: 'project', orgId: target.orgId, projectId };
    this.place = `${target.orgId}/${projectId}`;
    void this.#act(
      'Creating the project…',
      async (admin) => {
        await admin.createProject(target.orgId, projectId);
        return `Made project ${target.orgId}/${projectId}.`;
      },
      project,
    );
  };

  readonly #onGrant = (event: SubmitEvent): void => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const role = Number(data.get('role'));
    const target = this._loaded?.target;
    if (!target || !username) return;
    void this.#act('Granting the role…', async (admin) => {
      await admin.grant(target, await admin.userIdOf(username), role);
      form.reset();
      return `${username} is now ${roleLabel(role).toLowerCase()} here.`;
    });
  };

  #onRemove(userId: string): void {
    const target = this._loaded?.target;
    const name = this._loaded?.names.get(userId) ?? userId;
    if (!target) return;
    void this.#act('Taking the role away…', async (admin) => {
      await admin.grant(target, userId, 0);
      return `${name} has no role at this level any more.`;
    });
  }

  readonly #onSaveRules = (event: SubmitEvent): void => {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const target = this._loaded?.target;
    if (!target) return;
    const changes: Parameters<AdminPort['setRules']>[1] = {};
    for (const [, name] of RULE_FIELDS) changes[name] = Number(data.get(name) ?? 0);
    const every = Number(data.get('rotate-every') ?? 0);
    if (!Number.isInteger(every) || every < 0) {
      this._error = 'The rotation interval is whole seconds, 0 or more.';
      return;
    }
    changes.rotateEverySeconds = every;
    if (target.level === 'org') {
      const idle = Number(data.get('idle-days') ?? 0);
      if (!isDeviceIdleDays(idle)) {
        this._error = 'Devices are signed out after 1 to 90 whole days unused, or 0 for never.';
        return;
      }
      changes.deviceIdleDays = idle;
    }
    void this.#act('Saving the rules…', async (admin) => {
      await admin.setRules(target, changes);
      return 'Rules saved.';
    });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-admin': RoomKeyAdmin;
  }
}
