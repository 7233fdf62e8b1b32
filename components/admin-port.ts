/**
 * What `<roomkey-admin>` needs of the admin API (core/client AdminApi), and where it gets it:
 * from an in-page client's own signed-in session. Under the RoomKey extension the page holds no
 * session, and admin acts are management acts (DESIGN.md trust rule: a page gets them only with
 * its own grant or a confirmation in extension UI), which the extension does not offer pages:
 * the element then refuses with an UnsupportedError that says where to go instead.
 * AdminApi is loaded on demand, so pages that never show the element do not load it.
 * @example const admin = await adminPortFor(client); await admin.explain({ level: 'room', roomId });
 */

import type { LevelPolicy, PolicyTarget, RuleChanges } from '../core/client/index.ts';
import { UnsupportedError } from '../core/errors.ts';
import type { roomkey } from '../proto/index.ts';
import type { RoomKeyClient } from './client/types.ts';

/** The admin requests the element makes (AdminApi's shape; a test double in browser tests). */
export interface AdminPort {
  chain(target: PolicyTarget): Promise<roomkey.v1.PolicyGetResponse.$Properties>;
  level(target: PolicyTarget): Promise<LevelPolicy>;
  createOrg(orgId: string): Promise<LevelPolicy>;
  createProject(orgId: string, projectId: string): Promise<LevelPolicy>;
  grant(target: PolicyTarget, userId: string, role: number): Promise<LevelPolicy>;
  setRules(target: PolicyTarget, changes: RuleChanges): Promise<LevelPolicy>;
  explain(target: PolicyTarget, userId?: string): Promise<roomkey.v1.PolicyExplainResponse.$Properties>;
  userIdOf(username: string): Promise<string>;
  usernameOf(userId: string): Promise<string>;
}

/** The refusal under an extension-backed client, in words that say what to do. */
export const EXTENSION_ADMIN_MESSAGE =
  'Organisation administration is not offered to web pages while the RoomKey extension holds your keys (changing roles and rules is a management act the extension would have to confirm). Use `roomkey-gateway admin` on the command line, or this page in a browser profile without the extension.';

/** An in-page client (components/client/in-page.ts) exposes its running SDK session. */
interface WithSdk {
  sdk?: { nc: unknown } | undefined;
}

/**
 * The admin port of `client`: its own `admin` when it has one (tests, custom hosts), else an
 * AdminApi over an in-page client's session; UnsupportedError for an extension-backed client.
 * @example const admin = await adminPortFor(getDefaultClient()!);
 */
export async function adminPortFor(client: RoomKeyClient & { admin?: AdminPort }): Promise<AdminPort> {
  if (client.admin) return client.admin;
  if (client.openSignIn || !('sdk' in client)) throw new UnsupportedError(EXTENSION_ADMIN_MESSAGE);
  const { AdminApi } = await import('../core/client/admin-api.ts');
  return new AdminApi(() => {
    const sdk = (client as WithSdk).sdk;
    if (!sdk) throw new UnsupportedError('Sign in (or unlock) first: administration acts as you.');
    return sdk.nc as ConstructorParameters<typeof AdminApi>[0] extends () => infer N ? N : never;
  });
}
