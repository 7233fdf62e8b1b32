import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roomDeepLink } from '../../../sw/deep-link.ts';
import { chooseWindow, openRoom } from '../../../sw/open-room.ts';
import type { SwClients, SwWindowClient } from '../../../sw/scope.ts';

const scope = 'http://127.0.0.1:8080/';
const link = (roomId: string) => roomDeepLink(roomId, scope);
const win = (url: string, focused = false) => ({ url, focused });

describe('notification click: which window', () => {
  it('focuses a window already showing the room', () => {
    const windows = [win(link('a')), win(link('b')), win(link('b'), true)];
    assert.deepEqual(chooseWindow(windows, link('b'), scope), { action: 'focus', index: 2 });
  });

  it('navigates an app window (the focused one first) when none shows the room', () => {
    assert.deepEqual(chooseWindow([win(link('a')), win(scope, true)], link('c'), scope), {
      action: 'navigate',
      index: 1,
    });
    assert.deepEqual(chooseWindow([win('https://other.example/'), win(link('a'))], link('c'), scope), {
      action: 'navigate',
      index: 1,
    });
  });

  it('focuses any app window for a notification without a room', () => {
    assert.deepEqual(chooseWindow([win(link('a'))], link(''), scope), { action: 'focus', index: 0 });
  });

  it('opens the deep link when no app window is open', () => {
    assert.deepEqual(chooseWindow([], link('a'), scope), { action: 'open' });
    assert.deepEqual(chooseWindow([win('http://127.0.0.1:9999/#room=a')], link('a'), scope), {
      action: 'open',
    });
  });
});

/** Fake Clients recording what the handler did. */
function fakeClients(urls: string[], options: { controlled?: boolean; focusAllowed?: boolean } = {}) {
  const log: string[] = [];
  // Like a real WindowClient, its fields are getters on the prototype, not own properties.
  class FakeWindow implements SwWindowClient {
    readonly #url: string;
    readonly #index: number;
    constructor(url: string, index: number) {
      this.#url = url;
      this.#index = index;
    }
    get id() {
      return String(this.#index);
    }
    get url() {
      return this.#url;
    }
    get focused() {
      return false;
    }
    async focus() {
      if (options.focusAllowed === false)
        throw new DOMException('Not allowed to focus a window.', 'InvalidAccessError');
      log.push(`focus ${this.#index}`);
      return this;
    }
    async navigate(to: string) {
      if (options.controlled === false) throw new TypeError('not controlled');
      log.push(`navigate ${this.#index} ${to}`);
      return new FakeWindow(to, this.#index);
    }
  }
  const make = (url: string, index: number): SwWindowClient => new FakeWindow(url, index);
  const clients: SwClients = {
    async matchAll() {
      return urls.map(make);
    },
    async openWindow(to) {
      log.push(`open ${to}`);
      return null;
    },
  };
  return { clients, log };
}

describe('notification click: what happens', () => {
  it('focuses, navigates then focuses, or opens', async () => {
    let fake = fakeClients([link('a')]);
    assert.equal(await openRoom(fake.clients, link('a'), scope), 'focus');
    assert.deepEqual(fake.log, ['focus 0']);

    fake = fakeClients([link('a')]);
    assert.equal(await openRoom(fake.clients, link('b'), scope), 'navigate');
    assert.deepEqual(fake.log, [`navigate 0 ${link('b')}`, 'focus 0']);

    fake = fakeClients([]);
    assert.equal(await openRoom(fake.clients, link('b'), scope), 'open');
    assert.deepEqual(fake.log, [`open ${link('b')}`]);
  });

  it('opens the link when the window is not controlled by the worker', async () => {
    const fake = fakeClients([scope], { controlled: false });
    assert.equal(await openRoom(fake.clients, link('b'), scope), 'open');
    assert.deepEqual(fake.log, [`open ${link('b')}`]);
  });

  it('still navigates when focusing is refused (no user activation)', async () => {
    const fake = fakeClients([scope], { focusAllowed: false });
    assert.equal(await openRoom(fake.clients, link('b'), scope), 'navigate');
    assert.deepEqual(fake.log, [`navigate 0 ${link('b')}`]);
  });
});
