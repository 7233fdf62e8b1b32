// core/bridge's validator for the contacts methods: `contacts` and `openVerifyContact` with exact
// keys, user ids and sizes; the trust-changing methods (verify, unverify, accept a key change)
// never leave a page's window (refused before their params are read), while on a port they are
// read like any request (the background refuses them for every site's frame).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BRIDGE_LIMITS,
  CONTACT_TRUST_METHODS,
  ExtensionOnlyError,
  readRequest,
  requestEnvelope,
} from '../../../core/bridge/index.ts';
import { MalformedError, TooLargeError } from '../../../core/errors.ts';

const envelope = (method: string, params: unknown) => requestEnvelope({ id: 'r1', method, params });

function refused(data: unknown, boundary: 'window' | 'port' = 'window'): Error {
  const verdict = readRequest(data, boundary);
  assert.equal(verdict.kind, 'bad', JSON.stringify(data).slice(0, 200));
  return (verdict as { error: Error }).error;
}

describe('bridge protocol: contacts', () => {
  it('contacts takes exactly a list of user ids, within the limit', () => {
    const ok = readRequest(envelope('contacts', { userIds: ['u1', 'bob_2-x'] }), 'window');
    assert.deepEqual(ok, {
      kind: 'request',
      request: { id: 'r1', method: 'contacts', params: { userIds: ['u1', 'bob_2-x'] } },
    });
    assert.ok(
      refused(envelope('contacts', { userIds: ['u1'], roomId: 'a'.repeat(32) })) instanceof MalformedError,
    );
    assert.ok(refused(envelope('contacts', {})) instanceof MalformedError);
    assert.ok(refused(envelope('contacts', { userIds: 'u1' })) instanceof MalformedError);
    assert.ok(refused(envelope('contacts', { userIds: ['../x'] })) instanceof MalformedError);
    assert.ok(refused(envelope('contacts', { userIds: [{ toString: 'u1' }] })) instanceof MalformedError);
    const many = Array.from({ length: BRIDGE_LIMITS.contactIds + 1 }, (_, i) => `u${i}`);
    assert.ok(refused(envelope('contacts', { userIds: many })) instanceof TooLargeError);
  });

  it('openVerifyContact takes exactly one user id', () => {
    assert.equal(readRequest(envelope('openVerifyContact', { userId: 'u1' }), 'window').kind, 'request');
    assert.ok(
      refused(envelope('openVerifyContact', { userId: 'u1', verified: true })) instanceof MalformedError,
    );
    assert.ok(refused(envelope('openVerifyContact', { userId: '' })) instanceof MalformedError);
  });

  it('a page cannot set verified: the trust-changing methods never leave its window', () => {
    assert.deepEqual([...CONTACT_TRUST_METHODS].sort(), [
      'acceptKeyChange',
      'unverifyContact',
      'verifyContact',
    ]);
    for (const [method, params] of [
      ['verifyContact', { userId: 'u1', scanned: null }],
      ['verifyContact', { userId: 'u1' }],
      ['unverifyContact', { userId: 'u1' }],
      ['acceptKeyChange', { userId: 'u1' }],
      ['acceptKeyChange', { userId: 42, extra: true }],
    ] as const) {
      const error = refused(envelope(method, params));
      assert.ok(error instanceof ExtensionOnlyError, method);
      assert.match(error.message, /own window/);
    }
  });

  it('on a port the same requests are read exactly (the background decides by caller)', () => {
    assert.deepEqual(readRequest(envelope('verifyContact', { userId: 'u1' }), 'port'), {
      kind: 'request',
      request: { id: 'r1', method: 'verifyContact', params: { userId: 'u1', scanned: null } },
    });
    const scanned = `roomkey-safety:v1:${'1'.repeat(60)}`;
    assert.deepEqual(readRequest(envelope('verifyContact', { userId: 'u1', scanned }), 'port'), {
      kind: 'request',
      request: { id: 'r1', method: 'verifyContact', params: { userId: 'u1', scanned } },
    });
    assert.ok(
      refused(envelope('verifyContact', { userId: 'u1', scanned: 7 }), 'port') instanceof MalformedError,
    );
    assert.ok(
      refused(envelope('verifyContact', { userId: 'u1', scanned: 'x'.repeat(257) }), 'port') instanceof
        TooLargeError,
    );
    assert.ok(refused(envelope('acceptKeyChange', { userId: 'u1', x: 1 }), 'port') instanceof MalformedError);
  });
});
