// The extension's background against the real local stack (gateway + nats-server), in Debian's
// Chromium with the e2e build (production + the inert probe): cold start of the MV3 worker to
// ready (store unlocked from storage.session, SDK resumed, connected and subscribed to every room),
// and live messages from a Node sender routed to the tab showing the room, per second.
// Starts and stops its own stack and browser; bounded (about a minute).
import { waitFor } from '../test/e2e/helpers/browser.ts';
import {
  call,
  callConfirmed,
  clientEvents,
  enterInPopup,
  inBackground,
  installClient,
  launchWithExtension,
  startExtensionStack,
} from '../test/e2e/helpers/extension.ts';

interface Probe {
  roomkeyE2E: { account: { state: { keys: string; connection: string } } };
}

export async function bench(report: (name: string, value: number, unit: string) => void): Promise<void> {
  const stack = await startExtensionStack();
  const alice = await launchWithExtension('bench-alice').catch(async (error) => {
    await stack.close();
    throw error;
  });
  try {
    const bob = await stack.nodeUser('bob');
    const app = await alice.open(`${stack.origins.a}/`);
    await installClient(app);
    const connecting = call(app, 'connect');
    await alice.answer('allow');
    await connecting;
    // The password is typed only into extension UI (issue 11): sign up in the popup.
    await enterInPopup(alice, 'signUp', `${stack.origins.a}/`, 'alice', 'correct horse battery staple');
    const made = await call(app, 'createRoom', 'Bench');
    if (!made.ok) throw new Error(`createRoom: ${made.message}`);
    const roomId = (made.value as { roomId: string }).roomId;
    const invited = await callConfirmed(alice, app, 'invite', roomId, 'bob');
    if (!invited.ok) throw new Error(`invite: ${invited.message}`);
    await bob.joined(roomId);
    await call(app, 'focusRoom', roomId);
    await app.close(); // no tab restarts the worker by itself

    const ready = () =>
      inBackground(
        alice,
        () => {
          const s = (globalThis as unknown as Probe).roomkeyE2E.account.state;
          return s.keys === 'ready' && s.connection === 'online';
        },
        null,
      ).catch(() => false);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await alice.stopWorker();
      const t0 = performance.now();
      await alice.startWorker();
      await waitFor('the background ready', ready, 20_000);
      starts.push(performance.now() - t0);
    }
    starts.sort((a, b) => a - b);
    report('extension.cold-start-to-ready', starts[1]!, 'ms');

    const tab = await alice.open(`${stack.origins.a}/`);
    await installClient(tab);
    await call(tab, 'connect');
    await call(tab, 'focusRoom', roomId);
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, n - i) }, (_, j) => bob.session.send(roomId, `bench ${i + j}`)),
      );
    }
    await waitFor(
      'every message in the tab',
      async () => (await clientEvents(tab, 'message')).length >= n,
      60_000,
    );
    report('extension.messages-routed-to-tab', n / ((performance.now() - t0) / 1000), 'msgs/s');
  } finally {
    await alice.close();
    await stack.close();
  }
}
