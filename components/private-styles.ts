/**
 * Styles every RoomKey element shares: the --roomkey-* design tokens with their defaults, form
 * controls, the status line, visible focus and reduced motion. Internal: not exported.
 * @example static override styles = [base, css`:host { display: block; }`];
 */
import { css } from 'lit';

export const base = css`
  :host {
    box-sizing: border-box;
    color: var(--roomkey-color, #1b1b1f);
    background: var(--roomkey-background, #ffffff);
    font-family: var(--roomkey-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--roomkey-font-size, 1rem);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h2,
  h3 {
    margin: 0;
    font-size: 1.125em;
    line-height: 1.3;
  }
  h3 {
    font-size: 1em;
  }
  p {
    margin: 0;
  }
  :focus-visible {
    outline: 2px solid var(--roomkey-focus-ring, #0b57d0);
    outline-offset: 2px;
  }
  [tabindex='-1']:focus {
    outline: none;
  }
  button {
    font: inherit;
    cursor: pointer;
    padding: 0.4em 0.9em;
    border-radius: var(--roomkey-radius, 6px);
    border: 1px solid var(--roomkey-accent, #0b57d0);
    background: var(--roomkey-accent, #0b57d0);
    color: var(--roomkey-accent-contrast, #ffffff);
    transition: filter 120ms ease;
  }
  button:hover {
    filter: brightness(1.1);
  }
  button.secondary {
    background: transparent;
    color: var(--roomkey-accent, #0b57d0);
  }
  button.danger {
    border-color: var(--roomkey-danger, #b3261e);
    background: var(--roomkey-danger, #b3261e);
    color: var(--roomkey-accent-contrast, #ffffff);
  }
  button.link {
    border: none;
    background: none;
    padding: 0;
    color: var(--roomkey-accent, #0b57d0);
    text-decoration: underline;
  }
  button:disabled,
  button[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.65;
  }
  input,
  textarea {
    font: inherit;
    color: inherit;
    background: var(--roomkey-input-background, #ffffff);
    border: 1px solid var(--roomkey-border-color, #6b6f76);
    border-radius: var(--roomkey-radius, 6px);
    padding: 0.4em 0.6em;
    min-width: 0;
  }
  input[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--roomkey-danger, #b3261e);
  }
  label {
    font-weight: 600;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25em;
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.4em;
    font-weight: normal;
  }
  .field-error,
  .error {
    color: var(--roomkey-danger, #b3261e);
  }
  .error:empty,
  .field-error:empty {
    display: none;
  }
  .hint {
    color: var(--roomkey-muted, #4a4f57);
    font-size: 0.875em;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
  }
  .status {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.35em;
    color: var(--roomkey-muted, #4a4f57);
    font-size: 0.875em;
  }
  .status .dot {
    display: inline-block;
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    background: var(--roomkey-muted, #4a4f57);
  }
  .status[data-connection='online'] .dot {
    background: var(--roomkey-success, #1e6b35);
  }
  .status[data-connection='offline'] .dot {
    background: var(--roomkey-danger, #b3261e);
  }
  .status[data-connection='connecting'] .dot,
  .status[data-connection='reconnecting'] .dot {
    background: var(--roomkey-warning, #8a5a00);
    animation: roomkey-pulse 1.2s ease-in-out infinite;
  }
  .notice {
    padding: 0.5em 0.75em;
    border-radius: var(--roomkey-radius, 6px);
    background: var(--roomkey-notice-background, #fff3d6);
    color: var(--roomkey-notice-color, #4d3200);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  dialog {
    color: inherit;
    background: var(--roomkey-background, #ffffff);
    border: 1px solid var(--roomkey-border-color, #6b6f76);
    border-radius: var(--roomkey-radius, 6px);
    padding: 1em;
    max-width: min(28rem, 90vw);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.35);
  }
  dialog form {
    display: flex;
    flex-direction: column;
    gap: 0.75em;
  }
  @keyframes roomkey-pulse {
    50% {
      opacity: 0.35;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
      scroll-behavior: auto !important;
    }
  }
`;
