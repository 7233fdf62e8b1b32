// core/bridge's one validator and its errors: what the content script (on `window`) and the
// background (on a port) ignore, refuse (with a typed error and nothing else) and accept; and typed
// errors across the bridge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BRIDGE_CHANNEL,
  BRIDGE_LIMITS,
  BRIDGE_VERSION,
  checkRequest,
  ExtensionOnlyError,
  fromWireError,
  NotApprovedError,
  readFrameState,
  readReply,
  readRequest,
  requestEnvelope,
  toWireError,
} from '../../../core/bridge/index.ts';
import {
  ForbiddenError,
  LockedError,
  MalformedError,
  RateLimitedError,
  TooLargeError,
  UnsupportedError,
  WrongPassphraseError,
} from '../../../core/errors.ts';

const ROOM_A = 'a'.repeat(32);

const request = (method: string, params: unknown, extra: Record<string, unknown> = {}) => ({
  ...requestEnvelope({ id: 'r1', method, params }),
  ...extra,
});

/** What the content script makes of a message on the page's window. */
const classifyPageMessage = (data: unknown) => readRequest(data, 'window');

function bad(data: unknown): { id: string | undefined; error: Error } {
  const m = classifyPageMessage(data);
  assert.equal(m.kind, 'bad', JSON.stringify(data).slice(0, 200));
  return m as { kind: 'bad'; id: string | undefined; error: Error };
}

describe('bridge protocol: classifying window messages', () => {
  it('ignores anything not on the channel, and the extension’s own replies', () => {
    for (const data of [
      null,
      'hello',
      42,
      [BRIDGE_CHANNEL],
      { channel: 'other', version: 1, from: 'page', id: 'x', method: 'hello', params: {} },
      { ...request('hello', {}), from: 'extension' },
      { type: 'webpackOk' },
    ]) {
      assert.deepEqual(classifyPageMessage(data), { kind: 'ignore' });
    }
  });

  it('accepts an exact request and returns a copy of it', () => {
    const data = request('send', { roomId: ROOM_A, text: 'hi' });
    const m = classifyPageMessage(data);
    assert.equal(m.kind, 'request');
    assert.deepEqual((m as { request: unknown }).request, {
      id: 'r1',
      method: 'send',
      params: { roomId: ROOM_A, text: 'hi' },
    });
    data.params = { roomId: ROOM_A, text: 'changed later' };
    assert.equal((m as { request: { params: { text: string } } }).request.params.text, 'hi');
  });

  it('refuses a spoofed origin (or any extra field) in the envelope or the params', () => {
    const envelope = bad(request('listRooms', {}, { origin: 'https://bank.example' }));
    assert.equal(envelope.id, 'r1');
    assert.ok(envelope.error instanceof MalformedError);
    assert.match(envelope.error.message, /unexpected field "origin"/);
    const params = bad(request('listRooms', { origin: 'https://bank.example' }));
    assert.ok(params.error instanceof MalformedError);
  });

  it('answers another version with unsupported', () => {
    const m = bad(request('hello', {}, { version: 2 }));
    assert.ok(m.error instanceof UnsupportedError);
    assert.equal(m.id, 'r1');
  });

  it('has no id to answer when the id is missing or odd', () => {
    assert.equal(bad(request('hello', {}, { id: undefined })).id, undefined);
    assert.equal(bad(request('hello', {}, { id: 'x'.repeat(65) })).id, undefined);
    assert.equal(bad(request('hello', {}, { id: 'a b' })).id, undefined);
  });

  it('refuses requests larger than the limit with too-large', () => {
    const m = bad(request('send', { roomId: ROOM_A, text: 'x'.repeat(BRIDGE_LIMITS.requestChars) }));
    assert.ok(m.error instanceof TooLargeError);
  });

  it('refuses every password-bearing request from a page, before reading its params', () => {
    for (const [method, params] of [
      ['signIn', { gateway: 'https://evil.example/', username: 'mallory', password: 'pw' }],
      ['signUp', { gateway: 'https://evil.example/', username: 'victim', password: 'pw' }],
      ['unlock', { password: 'a guess' }],
      ['unlock', { password: 42, extra: true }],
    ] as const) {
      const m = bad(request(method, params));
      assert.ok(m.error instanceof ExtensionOnlyError, method);
      assert.equal(m.id, 'r1', 'answered, so the page learns why');
      assert.doesNotMatch(m.error.message, /a guess|pw/);
    }
    // signOut carries no secret: it is relayed, and the background refuses it for sites.
    assert.equal(classifyPageMessage(request('signOut', {})).kind, 'request');
  });

  it('openSignIn carries at most a gateway suggestion', () => {
    const m = classifyPageMessage(request('openSignIn', { gateway: 'https://gw.example' }));
    assert.deepEqual((m as { request: unknown }).request, {
      id: 'r1',
      method: 'openSignIn',
      params: { gateway: 'https://gw.example/' },
    });
    assert.deepEqual(checkRequest('r', 'openSignIn', {}).params, { gateway: null });
    for (const params of [
      { gateway: 'javascript:alert(1)' },
      { gateway: 'https://user:pw@gw.example/' },
      { gateway: null, password: 'pw' },
      { username: 'alice' },
    ]) {
      assert.ok(bad(request('openSignIn', params)).error instanceof MalformedError, JSON.stringify(params));
    }
  });

  it('refuses unknown methods and params of the wrong shape', () => {
    assert.ok(bad(request('exportKeys', {})).error instanceof UnsupportedError);
    assert.ok(bad(request('toString', {})).error instanceof UnsupportedError);
    assert.ok(bad(request('__proto__', {})).error instanceof UnsupportedError);
    assert.ok(bad(request('listRooms', [])).error instanceof MalformedError);
    assert.ok(bad(request('listRooms', null)).error instanceof MalformedError);
  });
});

describe('bridge protocol: params', () => {
  const ok = (method: string, params: unknown) => checkRequest('r', method, params).params;
  const refuse = (method: string, params: unknown, type: new (...a: never[]) => Error = MalformedError) =>
    assert.throws(() => checkRequest('r', method, params), type);

  it('room ids are 32 lowercase hex', () => {
    refuse('history', { roomId: ROOM_A.toUpperCase() });
    refuse('history', { roomId: `${ROOM_A}0` });
    refuse('history', { roomId: '../../etc' });
    refuse('history', { roomId: 1 });
    assert.deepEqual(ok('history', { roomId: ROOM_A }), { roomId: ROOM_A, limit: null });
  });

  it('history limit is an integer within bounds', () => {
    assert.deepEqual(ok('history', { roomId: ROOM_A, limit: 50 }), { roomId: ROOM_A, limit: 50 });
    for (const limit of [0, -1, 1.5, '10', BRIDGE_LIMITS.historyLimit + 1])
      refuse('history', { roomId: ROOM_A, limit });
  });

  it('history membership rows are asked with a boolean, nothing else', () => {
    assert.deepEqual(ok('history', { roomId: ROOM_A, membership: true }), {
      roomId: ROOM_A,
      limit: null,
      membership: true,
    });
    assert.deepEqual(ok('history', { roomId: ROOM_A, membership: false }), { roomId: ROOM_A, limit: null });
    for (const membership of ['true', 1, {}]) refuse('history', { roomId: ROOM_A, membership });
  });

  it('text, names and passwords have types and sizes', () => {
    refuse('send', { roomId: ROOM_A, text: '' });
    refuse('send', { roomId: ROOM_A, text: 'x'.repeat(BRIDGE_LIMITS.textChars + 1) }, TooLargeError);
    refuse('send', { roomId: ROOM_A });
    refuse('createRoom', { name: 'é'.repeat(200) }, TooLargeError); // 400 bytes of UTF-8
    refuse('unlock', { password: '' });
    refuse('unlock', { password: 'x'.repeat(BRIDGE_LIMITS.passwordChars + 1) }, TooLargeError);
  });

  it('sign-in needs an http(s) gateway URL, and normalizes it', () => {
    const params = { gateway: 'https://rooms.example', username: 'alice', password: 'pw' };
    assert.equal((ok('signIn', params) as { gateway: string }).gateway, 'https://rooms.example/');
    refuse('signIn', { ...params, gateway: 'javascript:alert(1)' });
    refuse('signIn', { ...params, gateway: 'rooms.example' });
    refuse('signUp', { ...params, extra: 1 });
  });

  it('invite defaults shareHistory to false; focusRoom takes null; requestRoom takes read or sealed', () => {
    assert.deepEqual(ok('invite', { roomId: ROOM_A, username: 'bob' }), {
      roomId: ROOM_A,
      username: 'bob',
      shareHistory: false,
    });
    refuse('invite', { roomId: ROOM_A, username: 'bob', shareHistory: 'yes' });
    assert.deepEqual(ok('focusRoom', { roomId: null }), { roomId: null });
    refuse('focusRoom', {});
    refuse('requestRoom', { roomId: ROOM_A, access: 'admin' });
    refuse('removeMember', { roomId: ROOM_A, userId: 'a/b' });
  });
});

describe('bridge protocol: errors', () => {
  it('keeps the class, code and message across the bridge', () => {
    for (const error of [
      new NotApprovedError('no'),
      new ExtensionOnlyError(),
      new ForbiddenError('policy'),
      new LockedError('locked'),
      new WrongPassphraseError(),
      new RateLimitedError(Date.now() + 5000, 'slow down'),
    ]) {
      const back = fromWireError(JSON.parse(JSON.stringify(toWireError(error))));
      assert.equal(back.constructor, error.constructor);
      assert.equal(back.code, error.code);
      assert.equal(back.message, error.message);
    }
    assert.ok(!(fromWireError(toWireError(new ForbiddenError('x'))) instanceof NotApprovedError));
    assert.ok(!(fromWireError(toWireError(new ForbiddenError('x'))) instanceof ExtensionOnlyError));
  });

  it('never lets an unknown failure or its details through', () => {
    const wire = toWireError(new Error('secret plaintext'));
    assert.equal(wire.code, 'internal');
    assert.doesNotMatch(wire.message, /secret/);
    assert.equal(fromWireError({ nonsense: true }).code, 'internal');
  });

  it('version constant matches what the envelope carries', () => {
    assert.equal(requestEnvelope({ id: 'a', method: 'hello', params: {} }).version, BRIDGE_VERSION);
  });
});

describe('bridge protocol: the same validator on a port', () => {
  it('reads a port’s envelope exactly as a window’s, but relays password methods (the background decides by caller)', () => {
    const send = request('send', { roomId: ROOM_A, text: 'hi' });
    assert.deepEqual(readRequest(send, 'port'), readRequest(send, 'window'));
    const signIn = readRequest(
      request('signIn', { gateway: 'https://gw.example/', username: 'alice', password: 'pw' }),
      'port',
    );
    assert.equal(signIn.kind, 'request');
    const spoofed = readRequest(request('listRooms', {}, { origin: 'https://bank.example' }), 'port');
    assert.equal(spoofed.kind, 'bad');
    assert.ok((spoofed as { error: Error }).error instanceof MalformedError);
    assert.equal(
      readRequest({ type: 'request', id: 'r1', method: 'listRooms', params: {} }, 'port').kind,
      'ignore',
    );
  });
});

describe('bridge protocol: replies and frame states', () => {
  it('accepts the four reply kinds and drops anything else', () => {
    const good = [
      { kind: 'result', id: 'r1', result: null },
      { kind: 'error', id: 'r1', error: { code: 'locked', message: 'locked' } },
      { kind: 'progress', id: 'r1', progress: { loaded: 1 } },
      { kind: 'event', event: { type: 'rooms', detail: [] } },
    ];
    for (const reply of good) assert.deepEqual(readReply(reply), reply);
    for (const reply of [
      null,
      [],
      { kind: 'result' },
      { kind: 'result', id: 'a b', result: 1 },
      { kind: 'error', id: 'r1', error: 'boom' },
      { kind: 'progress', id: 'r1', progress: 3 },
      { kind: 'event', event: null },
      { kind: 'event', event: { type: 'toString', detail: 1 } },
      { kind: 'other', id: 'r1' },
    ]) {
      assert.equal(readReply(reply), undefined, JSON.stringify(reply));
    }
  });

  it('reads a frame state exactly', () => {
    assert.deepEqual(readFrameState({ visible: true, connected: false, focusedRoom: ROOM_A }), {
      visible: true,
      connected: false,
      focusedRoom: ROOM_A,
    });
    for (const state of [
      null,
      { visible: 'yes', connected: false, focusedRoom: null },
      { visible: true, connected: false, focusedRoom: '../x' },
      { visible: true, focusedRoom: null },
    ]) {
      assert.throws(() => readFrameState(state), MalformedError);
    }
  });
});
