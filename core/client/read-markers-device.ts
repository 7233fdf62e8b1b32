/**
 * The shared read markers for a host woken without a session (a service worker after a
 * SYNC_READ push): connects as this device with its already unlocked store (the device key proves
 * it for a fresh JWT), says it is awake (a `hidden` presence beacon, so the gateway stops trying
 * the user's other devices), lists the markers and disconnects. Writes nothing, like `readRecent`.
 * @example const upTo = await deviceReadMarkers(store, config); upTo.get(roomId) // → 42
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { MalformedError } from '../errors.ts';
import type { EncryptedStore } from '../store/store.ts';
import type { ClientConfig } from './config.ts';
import { DeviceLink } from './device-link.ts';
import { LocalState, localMember } from './local-state.ts';
import { PresenceBeacon } from './presence-beacon.ts';
import { listReadMarkers } from './read-markers-api.ts';

/**
 * Tells the gateway this device is up (a woken worker shows nothing: `hidden`, no room on screen).
 * @example await readRecent(store, config, { perRoom, onConnected: (nc) => announceAwake(nc, store) });
 */
export async function announceAwake(nc: NatsConnection, store: EncryptedStore): Promise<void> {
  const stored = await LocalState.of(store).identity();
  if (!stored?.identity?.body || !stored.deviceSecret) return;
  const { userId, device } = localMember(stored);
  new PresenceBeacon({ nc: () => nc, deviceKey: device.publicKey, userId, state: 'hidden' }).send();
  await nc.flush();
}

/** This user's read markers, read as this device (see the top of this file). */
export async function deviceReadMarkers(
  store: EncryptedStore,
  config: ClientConfig,
): Promise<Map<string, number>> {
  const stored = await LocalState.of(store).identity();
  if (!stored?.identity?.body || !stored.deviceSecret)
    throw new MalformedError('The local store holds no identity: sign in on this device first.');
  const link = await DeviceLink.open({
    config,
    deviceSecretKey: stored.deviceSecret,
    credential: { userJwt: '', expiresAtMs: 0 },
  });
  try {
    await link.ready();
    await announceAwake(link.nc, store);
    return await listReadMarkers(link.nc, { timeoutMs: config.requestTimeoutMs });
  } finally {
    await link.close().catch(() => undefined);
  }
}
