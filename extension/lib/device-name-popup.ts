/**
 * The popup's device name and its Rename (an inline field), like <roomkey-devices>: the name is
 * sealed to the user's key by the background (core/client device-names.ts, one code path), so the
 * popup only sends the text the user typed; "This device" or "Last seen N days ago" beside it.
 * @example deviceNameCell(device, { renaming, busy }, { start, save, cancel })
 */
import { html, nothing, type TemplateResult } from 'lit';
import { lastSeenWords } from '../../core/client/last-seen.ts';
import type { DeviceView } from './messages.ts';

export interface RenameActions {
  start(d: DeviceView): void;
  save(d: DeviceView, name: string): void;
  cancel(): void;
}

/**
 * The name (or the rename form while `renaming` is this device) and when it was last seen.
 * @example deviceNameCell(d, { renaming: null, busy: false }, actions)
 */
export function deviceNameCell(
  d: DeviceView,
  state: { renaming: string | null; busy: boolean },
  on: RenameActions,
): TemplateResult {
  if (state.renaming === d.deviceKey) {
    const submit = (event: SubmitEvent) => {
      event.preventDefault();
      const field = (event.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement | null;
      on.save(d, field?.value ?? '');
    };
    return html`<form class="row rename-device-form" @submit=${submit}>
      <label>New name
        <input class="rename-device-input" name="name" .value=${d.name} maxlength="64" required autocomplete="off" />
      </label>
      <button class="save-device-name" type="submit" ?disabled=${state.busy}>Save</button>
      <button class="cancel-rename-device" type="button" @click=${on.cancel}>Cancel</button>
    </form>`;
  }
  const seen = d.revokedAtMs
    ? nothing
    : html`<span class="muted seen">${d.lastSeenDay !== undefined || d.current ? lastSeenWords(d) : 'not seen lately'}</span>`;
  return html`<strong>${d.name}</strong>
    ${seen}
    ${
      d.revokedAtMs
        ? nothing
        : html`<button class="rename-device" aria-label="Rename device ${d.name}" ?disabled=${state.busy}
            @click=${() => on.start(d)}>Rename</button>`
    }`;
}
