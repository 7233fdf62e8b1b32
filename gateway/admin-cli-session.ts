/**
 * How `roomkey-gateway admin` acts: as a person, not as the server. It signs in with a username
 * and password through core's SDK (OPAQUE; the password never leaves the process in a usable
 * form), as a new short-lived device of that user named "roomkey-gateway admin", whose keys live
 * in memory only; at the end it signs out, which revokes that device. So the gateway applies the
 * same policy to the CLI as to `<roomkey-admin>` in a page: the CLI can do what the person's role
 * allows and nothing more, and holding the server's secrets gives it no extra power.
 * @example await withAdminSession({ gatewayUrl, username, password }, (admin) => admin.createOrg('acme'));
 */
import { AdminApi } from '../core/client/admin-api.ts';
import {
  clientConfigFor,
  deploymentConfigUrl,
  fetchDeploymentConfig,
  RoomKeySession,
} from '../core/client/index.ts';
import { MemoryBackend } from '../core/store/index.ts';

/** The store never reaches a disk (MemoryBackend): Argon2id costs protect nothing here. */
const MEMORY_STORE_PARAMS = { t: 1, mKib: 64, p: 1 };
export const ADMIN_DEVICE_NAME = 'roomkey-gateway admin';

export interface AdminSignIn {
  /** The deployment's URL (it serves roomkey-config.json), e.g. https://rooms.example.com/. */
  gatewayUrl: string;
  username: string;
  password: string;
}

/**
 * Signs in, runs `act` with an AdminApi on the session, then signs out (revoking the device)
 * whatever happened.
 * @example const chain = await withAdminSession(signIn, (admin) => admin.chain(target));
 */
export async function withAdminSession<T>(
  signIn: AdminSignIn,
  act: (admin: AdminApi, session: RoomKeySession) => Promise<T>,
): Promise<T> {
  const deployment = await fetchDeploymentConfig(deploymentConfigUrl(signIn.gatewayUrl));
  const session = await RoomKeySession.signIn({
    config: clientConfigFor(deployment),
    backend: new MemoryBackend(),
    storeParams: MEMORY_STORE_PARAMS,
    deviceName: ADMIN_DEVICE_NAME,
    // Hidden: the person's other devices stay the ones notifications go to.
    presence: 'hidden',
    previews: false,
    username: signIn.username,
    password: signIn.password,
  });
  try {
    // Named at once (sealed: the gateway stores no name), so the person's device list says what
    // each of these short-lived devices was.
    await session.renameDevice(session.deviceKey, ADMIN_DEVICE_NAME);
    return await act(new AdminApi(() => session.nc), session);
  } finally {
    await session.signOut();
  }
}
