/**
 * The client runtime every host shares (re-exported by core/client/index.ts): the settings, the
 * deployment config, reconnect backoff, the key-state machine, the notified window, the
 * notification decision, presence, the live session and, for hosts with one store, the whole
 * ClientRuntime. Hosts (components/client/in-page.ts, extension/lib/sdk-wiring.ts, sw/wake.ts)
 * are glue around these.
 * @example const runtime = await new ClientRuntime({ gatewayUrl, backend }).init();
 */
export { Backoff, type BackoffOptions } from './backoff.ts';
export {
  type AccountFlows,
  ClientRuntime,
  type ClientRuntimeEvents,
  type ClientRuntimeOptions,
} from './client-runtime.ts';
export { clientConfigFor, type FetchConfigOptions, fetchDeploymentConfig } from './config-fetch.ts';
export {
  type KeyStateChange,
  KeyStateMachine,
  type KeyStateSnapshot,
  type SessionInfo,
} from './key-state.ts';
export {
  LiveSession,
  type LiveSessionEvents,
  type LiveSessionOptions,
  type RunningSdk,
} from './live-session.ts';
export { NotifiedWindow, type NotifiedWindowOptions, type RecordStore } from './notified-window.ts';
export {
  type NotificationPlace,
  notifies,
  placeNotification,
  roomOnScreen,
  type ScreenView,
  viewOf,
} from './notify-decision.ts';
export { type PresenceTarget, PresenceTracker, presenceFrom } from './presence.ts';
export * as settings from './settings.ts';
