/**
 * One row of <roomkey-devices>: the device's name (opened on this device: the gateway holds it
 * sealed), when it was last seen in whole days ("This device" for this one), Rename (an inline
 * field) and Revoke (asks again). Kept apart so the element stays about its views.
 * @example html`<ul>${devices.map((d) => deviceRow(d, state, handlers))}</ul>`
 */
import { html, nothing, type TemplateResult } from 'lit';
import { lastSeenWords } from '../core/client/last-seen.ts';
import type { DeviceView } from './client/types.ts';

export interface DeviceRowState {
  /** The device whose Revoke was pressed once (asks again). */
  revoking: string;
  /** The device whose name is being edited. */
  renaming: string;
  /** Whether the client offers renaming at all. */
  canRename: boolean;
}

export interface DeviceRowHandlers {
  revoke(d: DeviceView): void;
  startRename(d: DeviceView): void;
  saveName(d: DeviceView, name: string): void;
  cancelRename(): void;
}

/**
 * The row of one device.
 * @example deviceRow(device, { revoking: '', renaming: '', canRename: true }, handlers)
 */
export function deviceRow(d: DeviceView, state: DeviceRowState, on: DeviceRowHandlers): TemplateResult {
  const name = d.name || 'Unnamed device';
  if (state.renaming === d.deviceKey) {
    const save = (event: SubmitEvent) => {
      event.preventDefault();
      const field = (event.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement | null;
      on.saveName(d, field?.value ?? '');
    };
    return html`<li part="device" data-current=${d.current ? 'true' : nothing}>
      <form part="rename-form" class="rename" @submit=${save}>
        <label>New name for “${name}”
          <input part="rename-input" name="name" .value=${name} maxlength="64" required autocomplete="off" />
        </label>
        <button part="save-name" type="submit">Save</button>
        <button part="cancel-rename" class="secondary" type="button" @click=${on.cancelRename}>Cancel</button>
      </form>
    </li>`;
  }
  const asking = state.revoking === d.deviceKey;
  return html`<li part="device" data-current=${d.current ? 'true' : nothing}>
    <span part="device-name" class="name">${name}</span>
    <span part="device-seen" class="seen">${lastSeenWords(d)}</span>
    ${
      state.canRename
        ? html`<button part="rename" class="secondary" type="button" aria-label=${`Rename “${name}”`}
            @click=${() => on.startRename(d)}>Rename</button>`
        : nothing
    }
    ${
      d.current
        ? nothing
        : html`<button part="revoke" class="secondary" type="button" @click=${() => on.revoke(d)}>
            ${asking ? `Revoke “${name}” for good?` : 'Revoke'}
          </button>`
    }
  </li>`;
}
