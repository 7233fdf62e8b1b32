/**
 * The one place where the client SDK enters the extension. Until core/client's session class
 * lands, production builds get a factory that says so (UnavailableError); the e2e build
 * (`wxt build --mode e2e`) gets the loopback double, so the extension can be tested end to end.
 * @example const sessions = createSessionFactory();
 */
import { UnavailableError } from '../../core/errors.ts';
import type { SessionFactory } from './background-session.ts';
import { createLoopbackFactory } from './testing/loopback-sdk.ts';

const unavailable = (): never => {
  throw new UnavailableError(
    'This build of the RoomKey extension has no client SDK yet: signing in is not possible.',
  );
};

/**
 * The session factory of this build.
 * @example const session = await createSessionFactory().resume({ store, gateway });
 */
export function createSessionFactory(): SessionFactory {
  // Replaced by a literal at build time, so production bundles drop the loopback double.
  if (__ROOMKEY_E2E__) return createLoopbackFactory();
  // TODO(client SDK): return a factory over core/client's session here, e.g.
  //   signUp: ({ store, gateway, username, password }) => RoomKeySession.signUp({ store, gateway, username, password }),
  //   signIn: (...) => RoomKeySession.signIn(...), resume: ({ store, gateway }) => RoomKeySession.resume(...),
  //   signOut: (session) => session.revokeThisDevice()
  // adapting the SDK's session to BackgroundSession (lib/background-session.ts).
  return {
    available: false,
    signUp: async () => unavailable(),
    signIn: async () => unavailable(),
    resume: async () => unavailable(),
    signOut: async () => undefined,
  };
}
