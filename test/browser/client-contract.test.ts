// The RoomKeyClient contract (test/contract/) against the component tests' fakes, in Chromium:
// FakeRoomKeyClient plays InPageClient, FakeExtensionClient plays the page's ExtensionClient, and
// each must do what its real client does (the real ones run the same contract in test/e2e/).
import { type ContractSubject, runClientContract } from '../contract/room-key-client.contract.ts';
import { FakeExtensionClient, FakeRoomKeyClient } from './helpers/fake-client.ts';

const framework = { describe, it, before, after };
const USER = { username: 'alice-contract', password: 'alice: a long enough password' };

/** The peer's messages arrive as the fake's live deliveries. */
function peerOf(client: FakeRoomKeyClient): ContractSubject['peer'] {
  const peer = client.addAccount('bob-peer', 'bob: a long enough password');
  return {
    username: peer.username,
    send: async (roomId, text) =>
      client.deliver(
        client.makeMessage(roomId, text, { senderUserId: peer.userId, senderUsername: peer.username }),
      ),
  };
}

runClientContract(
  'FakeRoomKeyClient (plays InPageClient)',
  async () => {
    const client = new FakeRoomKeyClient();
    return { mode: 'in-page', client, user: USER, peer: peerOf(client) };
  },
  framework,
);

runClientContract(
  'FakeExtensionClient (plays the page’s ExtensionClient)',
  async () => {
    const client = new FakeExtensionClient();
    return {
      mode: 'extension',
      client,
      user: USER,
      peer: peerOf(client),
      extension: {
        signUp: async (username) => client.userSignsIn(username),
        signIn: async (username) => client.userSignsIn(username),
        unlock: async () => client.userUnlocks(),
        signOut: async () => client.userSignsOut(),
      },
    };
  },
  framework,
);
