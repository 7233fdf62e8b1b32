// The RoomKeyClient contract (test/contract/) on the extension's background as the unit tests
// build it: a BridgeClient on a site's port to the real Hub, Account and approval gate, with the
// loopback SDK (loopback-sdk.ts) behind them, so the loopback cannot drift from the real SDK where
// a page can tell. The user acts in the popup (an extension page's port) and answers the
// extension's questions as the approval window would; the peer's messages come through the
// loopback's probe. The real extension runs the same steps in test/e2e/client-contract.test.ts.
import { after, before, describe, it } from 'node:test';
import { BridgeClient, type BridgeReply, type BridgeTransport } from '../../../core/bridge/index.ts';
import type { PortLike } from '../../../extension/lib/hub.ts';
import { BRIDGE_PORT } from '../../../extension/lib/messages.ts';
import type { SenderLike } from '../../../extension/lib/origin.ts';
import { SignInWindow } from '../../../extension/lib/sign-in-window.ts';
import { type ContractSubject, runClientContract } from '../../contract/room-key-client.contract.ts';
import { tick } from './fakes.ts';
import { createHub, EXT, resultOf } from './hub-harness.ts';
import { probe } from './loopback-sdk.ts';

const SITE = 'https://app.example';
const GATEWAY = 'http://127.0.0.1/';

/** A site's port as its content script holds it, carrying a BridgeClient's envelopes. */
class SitePort implements PortLike {
  readonly name = BRIDGE_PORT;
  readonly sender: SenderLike = { id: EXT.id, origin: SITE, url: `${SITE}/app`, tab: { id: 7 }, frameId: 0 };
  receiver: ((reply: BridgeReply) => void) | undefined;
  #onMessage: ((m: unknown) => void)[] = [];
  postMessage(message: unknown): void {
    this.receiver?.(structuredClone(message) as BridgeReply);
  }
  disconnect(): void {}
  onMessage = { addListener: (l: (m: unknown) => void) => this.#onMessage.push(l) };
  onDisconnect = { addListener: () => undefined };
  emit(message: unknown): void {
    for (const l of this.#onMessage) l(structuredClone(message));
  }
}

async function extensionSubject(): Promise<ContractSubject> {
  const { hub, account, window, popup } = await createHub({
    deps: {
      signInWindow: new SignInWindow({ open: async () => 1, focus: async () => undefined }, { quietMs: 0 }),
    },
  });
  const port = new SitePort();
  hub.connect(port);
  port.emit({ type: 'frame', state: { visible: true, connected: false, focusedRoom: null } });
  const transport: BridgeTransport = {
    send: (envelope) => port.emit(envelope),
    listen: (receiver) => {
      port.receiver = receiver;
      return () => {
        port.receiver = undefined;
      };
    },
  };
  const client = new BridgeClient(transport, { gateway: `${SITE}/` });

  /** Answers the next question the extension asks, as its approval window would. */
  const allowNext = async () => {
    for (let i = 0; i < 200 && window.opened.length === 0; i++) await tick();
    const id = window.opened.shift();
    if (!id) throw new Error('the extension asked nothing');
    resultOf(await popup.call('approval', { id }, 'admin'));
    resultOf(await popup.call('answerApproval', { id, decision: 'allow' }, 'admin'));
  };
  const connect = async () => {
    const connecting = client.connect();
    await allowNext();
    await connecting;
  };
  await connect();
  return {
    mode: 'extension',
    client,
    user: { username: 'alice', password: 'alice: a long enough password' },
    peer: {
      username: 'bob-peer',
      send: async (roomId, text) => {
        await probe.deliver({ roomId, text, senderUsername: 'bob-peer' });
      },
    },
    extension: {
      signUp: async (username, password) => {
        resultOf(await popup.call('signUp', { gateway: GATEWAY, username, password }));
      },
      signIn: async (username, password) => {
        await connect(); // the sign-out took the site's approval with it
        resultOf(await popup.call('signIn', { gateway: GATEWAY, username, password }));
      },
      unlock: async (password) => {
        resultOf(await popup.call('unlock', { password }));
      },
      signOut: async () => {
        resultOf(await popup.call('signOut', {}));
      },
    },
    confirmMembership: allowNext,
    timeoutMs: 5_000,
    close: async () => {
      client.close();
      await account.signOut().catch(() => undefined);
    },
  };
}

runClientContract('BridgeClient → Hub → loopback SDK (the extension in unit tests)', extensionSubject, {
  describe,
  it,
  before,
  after,
});
