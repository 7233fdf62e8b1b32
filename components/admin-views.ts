/**
 * The parts `<roomkey-admin>` renders for a loaded level: the roles granted there, the rules set
 * there (a form for owners and admins, text for everyone else) and the rules in force with why.
 * Pure templates: the element owns the state and passes its handlers in.
 * @example html`${grantsView({ grants, names, canEdit, callerRole, onRemove })}`
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { LevelPolicy } from '../core/client/index.ts';
import type { roomkey } from '../proto/index.ts';

/** Role names as people read them, by number (policy.proto). */
export const ROLE_LABELS = ['No role', 'Guest', 'Member', 'Admin', 'Owner'] as const;
export const roleLabel = (role: number | null | undefined): string => ROLE_LABELS[role ?? 0] ?? 'No role';

/** The rules one can set, with the words shown for each (and their PolicyRules field). */
export const RULE_FIELDS = [
  ['createRoom', 'create-room', 'Create rooms'],
  ['invite', 'invite', 'Invite members'],
  ['remove', 'remove', 'Remove members'],
  ['rotate', 'rotate', 'Rotate room keys'],
  ['readPreJoinHistory', 'read-history', 'Read history from before joining'],
] as const;

const WIRE_ACTION: Record<string, string> = {
  create_room: 'Create rooms',
  invite: 'Invite members',
  remove: 'Remove members',
  rotate: 'Rotate room keys',
  read_pre_join_history: 'Read history from before joining',
};

/** The roles a caller may hand out: owner only by an owner (the gateway enforces it too). */
export function grantableRoles(callerRole: number): number[] {
  return [1, 2, 3, 4].filter((role) => role < 4 || callerRole >= 4);
}

export function grantsView(input: {
  grants: LevelPolicy['grants'];
  names: ReadonlyMap<string, string>;
  canEdit: boolean;
  callerRole: number;
  onRemove: (userId: string) => void;
}): TemplateResult {
  const { grants, names, canEdit, callerRole } = input;
  if (!grants.length) return html`<p part="grants" class="hint">No roles are granted at this level.</p>`;
  return html`<ul part="grants">
    ${grants.map((g) => {
      const name = names.get(g.userId ?? '') ?? g.userId ?? '';
      const removable = canEdit && ((g.role ?? 0) < 4 || callerRole >= 4);
      return html`<li part="role-grant" data-user=${name}>
        <span class="name">${name}</span> <span class="role">${roleLabel(g.role)}</span>
        ${
          removable
            ? html`<button part="remove-grant" class="secondary" type="button"
                aria-label=${`Remove ${name}`} @click=${() => input.onRemove(g.userId ?? '')}>Remove</button>`
            : nothing
        }
      </li>`;
    })}
  </ul>`;
}

export function grantFormView(input: {
  callerRole: number;
  onGrant: (event: SubmitEvent) => void;
}): TemplateResult {
  return html`<form part="grant-form" @submit=${input.onGrant}>
    <label>Username <input part="grant-user" name="username" autocomplete="off" required /></label>
    <label>Role
      <select part="grant-role" name="role">
        ${grantableRoles(input.callerRole).map((r) => html`<option value=${r} ?selected=${r === 2}>${roleLabel(r)}</option>`)}
      </select>
    </label>
    <button part="grant" type="submit">Grant role</button>
  </form>`;
}

function ruleText(role: number | null | undefined): string {
  return role ? `${roleLabel(role)} or above` : 'Inherited';
}

export function rulesView(input: {
  rules: LevelPolicy['rules'];
  canEdit: boolean;
  /** Orgs only: the days after which an unused device is signed out. */
  isOrg?: boolean;
  onSave: (event: SubmitEvent) => void;
}): TemplateResult {
  const { rules, canEdit } = input;
  const every = Number(rules.rotateEveryS ?? 0);
  const idle = Number(rules.deviceIdleDays ?? 0);
  if (!canEdit) {
    return html`<dl part="rules">
      ${RULE_FIELDS.map(([field, , label]) => html`<dt>${label}</dt><dd>${ruleText(rules[field])}</dd>`)}
      <dt>Rotate keys every</dt><dd>${every ? `${every} seconds` : 'Inherited'}</dd>
      ${input.isOrg ? html`<dt>Sign out devices unused for</dt><dd>${idle ? `${idle} days` : 'Never'}</dd>` : nothing}
    </dl>`;
  }
  return html`<form part="rules-form" @submit=${input.onSave}>
    ${RULE_FIELDS.map(
      ([field, name, label]) => html`<label>${label}
        <select part="rule" name=${name} data-rule=${name}>
          ${[0, 1, 2, 3, 4].map(
            (r) => html`<option value=${r} ?selected=${(rules[field] ?? 0) === r}>
              ${r === 0 ? 'Inherit' : `${roleLabel(r)} or above`}
            </option>`,
          )}
        </select>
      </label>`,
    )}
    <label>Rotate keys every (seconds, 0 = inherit)
      <input part="rotate-every" name="rotate-every" type="number" min="0" step="1" .value=${String(every)} />
    </label>
    ${
      input.isOrg
        ? html`<label>Sign out devices unused for (days, 1 to 90; 0 = never)
            <input part="idle-days" name="idle-days" type="number" min="0" max="90" step="1" .value=${String(idle)} />
          </label>`
        : nothing
    }
    <button part="save-rules" type="submit">Save rules</button>
  </form>`;
}

export function effectiveView(explained: roomkey.v1.PolicyExplainResponse.$Properties): TemplateResult {
  const every = Number(explained.rotateEveryS ?? 0);
  return html`<ul part="effective">
    ${(explained.rules ?? []).map(
      (
        rule,
      ) => html`<li part="effective-rule" data-action=${rule.action ?? ''} data-allowed=${rule.allowed ? 'true' : 'false'}>
        <span class="name">${WIRE_ACTION[rule.action ?? ''] ?? rule.action}:</span>
        <strong>${rule.allowed ? 'Allowed' : 'Denied'}</strong>
        <span part="reason" class="hint">${rule.reason}</span>
      </li>`,
    )}
    <li part="effective-rotation">${every ? `Keys rotate every ${every} seconds (set at the ${explained.rotateLevel} level).` : 'No forced key rotation.'}</li>
  </ul>`;
}
