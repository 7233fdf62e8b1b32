// core/bridge's one reconnect policy (PortLink), which the content script and the extension's own
// pages share: the frame's state first on every port, idempotent requests sent again after the
// background restarts and the others failed with UnavailableError, a registered frame told it is
// reconnecting and brought back with growing waits, a request during a wait sending what waited too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BridgePort,
  type BridgeReply,
  fromWireError,
  PortLink,
  requestEnvelope,
} from '../../../core/bridge/index.ts';
import { UnavailableError } from '../../../core/errors.ts';

const ROOM = 'c'.repeat(32);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port as the background holds it: records what the frame posts, answers when told. */
class FakePort implements BridgePort {
  readonly posted: Record<string, unknown>[] = [];
  #message: ((m: unknown) => void)[] = [];
  #disconnect: (() => void)[] = [];
  postMessage(message: unknown): void {
    this.posted.push(structuredClone(message) as Record<string, unknown>);
  }
  disconnect(): void {}
  onMessage = { addListener: (l: (m: unknown) => void) => this.#message.push(l) };
  onDisconnect = { addListener: (l: () => void) => this.#disconnect.push(l) };
  /** The background answers. */
  answer(reply: BridgeReply): void {
    for (const l of this.#message) l(structuredClone(reply));
  }
  /** The background stops (an MV3 worker). */
  drop(): void {
    for (const l of this.#disconnect) l();
  }
  requests(): string[] {
    return this.posted.filter((m) => m['channel']).map((m) => `${m['method']}:${m['id']}`);
  }
}

function setup(options: { fail?: () => boolean } = {}) {
  const ports: FakePort[] = [];
  const replies: BridgeReply[] = [];
  let gone = false;
  const link = new PortLink({
    connect: () => {
      if (options.fail?.()) throw new Error('Extension context invalidated.');
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    onReply: (reply) => replies.push(reply),
    onGone: () => {
      gone = true;
    },
    delaysMs: [5, 20, 40],
  });
  const last = () => ports.at(-1)!;
  return { link, ports, replies, last, gone: () => gone };
}

const envelope = (id: string, method: string, params: unknown = {}) =>
  requestEnvelope({ id, method, params });

describe('PortLink', () => {
  it('opens on the first request, and every port starts with the frame’s state', () => {
    const { link, ports, last } = setup();
    assert.equal(ports.length, 0, 'no port before a request');
    link.report({ visible: false }, { openPort: false });
    assert.equal(ports.length, 0, 'a visibility change alone opens nothing');
    assert.ok(link.send(envelope('r1', 'listRooms')));
    assert.deepEqual(last().posted[0], {
      type: 'frame',
      state: { visible: false, connected: false, focusedRoom: null },
    });
    assert.deepEqual(last().requests(), ['listRooms:r1']);
  });

  it('learns registration and the focused room from the answers', () => {
    const { link, last } = setup();
    link.send(envelope('c1', 'connect'));
    last().answer({ kind: 'result', id: 'c1', result: {} });
    link.send(envelope('f1', 'focusRoom', { roomId: ROOM }));
    last().answer({ kind: 'result', id: 'f1', result: null });
    assert.deepEqual(link.state, { visible: true, connected: true, focusedRoom: ROOM });
  });

  it('after a restart: idempotent requests are sent again, others fail, a registered frame is back at once', async () => {
    const { link, ports, replies, last } = setup();
    link.send(envelope('c1', 'connect'));
    last().answer({ kind: 'result', id: 'c1', result: {} });
    link.send(envelope('h1', 'history', { roomId: ROOM }));
    link.send(envelope('s1', 'send', { roomId: ROOM, text: 'once only' }));
    last().drop();
    assert.deepEqual(
      replies
        .slice(1)
        .map((r) => (r.kind === 'error' ? `error:${r.id}` : r.kind === 'event' ? r.event.detail : r.kind)),
      ['error:s1', 'reconnecting'],
    );
    const failed = replies.find((r) => r.kind === 'error');
    assert.ok(failed?.kind === 'error' && fromWireError(failed.error) instanceof UnavailableError);
    await sleep(15);
    assert.equal(ports.length, 2, 'reopened after the first wait');
    assert.deepEqual(last().posted[0], {
      type: 'frame',
      state: { visible: true, connected: true, focusedRoom: null },
    });
    assert.deepEqual(last().requests(), ['history:h1'], 'only the idempotent request, once');
  });

  it('a request made while waiting to reconnect also sends what was waiting', () => {
    const { link, ports, last } = setup();
    link.send(envelope('l1', 'listRooms'));
    last().drop();
    link.send(envelope('l2', 'listRooms'));
    assert.equal(ports.length, 2);
    assert.deepEqual(last().requests(), ['listRooms:l1', 'listRooms:l2']);
  });

  it('waits longer after each failed attempt, and starts again once the background answers', async () => {
    const { link, ports, last } = setup();
    link.send(envelope('c1', 'connect'));
    last().answer({ kind: 'result', id: 'c1', result: {} });
    last().drop(); // waits 5 ms
    await sleep(12);
    assert.equal(ports.length, 2);
    last().drop(); // waits 20 ms
    await sleep(10);
    assert.equal(ports.length, 2, 'still waiting');
    await sleep(25);
    assert.equal(ports.length, 3);
    last().answer({ kind: 'event', event: { type: 'connection', detail: 'online' } });
    last().drop(); // answered: back to 5 ms
    await sleep(12);
    assert.equal(ports.length, 4);
    link.close();
  });

  it('an unregistered frame with nothing waiting stays closed until asked', async () => {
    const { link, ports, last } = setup();
    link.send(envelope('l1', 'listRooms'));
    last().answer({ kind: 'result', id: 'l1', result: [] });
    last().drop();
    await sleep(15);
    assert.equal(ports.length, 1);
  });

  it('a page entering the back-forward cache lets go of the port; back again, it reconnects', () => {
    const { link, ports, replies, last } = setup();
    link.send(envelope('c1', 'connect'));
    last().answer({ kind: 'result', id: 'c1', result: {} });
    link.send(envelope('s1', 'send', { roomId: ROOM, text: 'x' }));
    link.suspend();
    assert.equal(link.open, false);
    assert.ok(replies.some((r) => r.kind === 'error' && r.id === 's1'));
    link.resume();
    assert.equal(ports.length, 2);
    assert.equal(link.open, true);
  });

  it('when the extension is gone, the link closes for good and says so', () => {
    let fail = false;
    const { link, gone } = setup({ fail: () => fail });
    fail = true;
    assert.equal(link.send(envelope('l1', 'listRooms')), false);
    assert.equal(gone(), true);
    fail = false;
    assert.equal(link.send(envelope('l2', 'listRooms')), false, 'closed');
  });

  it('drops replies that are not replies', () => {
    const { link, replies, last } = setup();
    link.send(envelope('l1', 'listRooms'));
    last().answer({ kind: 'nonsense' } as unknown as BridgeReply);
    last().answer({ kind: 'event', event: { type: 'evil', detail: 1 } } as unknown as BridgeReply);
    assert.deepEqual(replies, []);
  });
});
