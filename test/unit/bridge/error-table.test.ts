// core's one error table: every error class survives the bridge (toWireError → JSON → fromWireError)
// and, for every code the wire enum has, the gateway's ErrorReply (errorToReply → bytes →
// errorFromReply), with its code, message and the fields its class carries. Before the table, a
// BadSignature, Replay, UnknownEpoch, NotMember, DecryptFailed, Tampered or integrity error arrived
// on the page as a plain RoomKeyError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ExtensionOnlyError,
  fromWireError,
  NotApprovedError,
  reviveError,
  toWireError,
} from '../../../core/bridge/index.ts';
import { decode, encode } from '../../../core/codec.ts';
import {
  BadCredentialsError,
  BadSignatureError,
  ConflictError,
  DecryptError,
  ERROR_CODE_NAMES,
  ExpiredError,
  ForbiddenError,
  InternalError,
  LockedError,
  MalformedError,
  NotFoundError,
  NotMemberError,
  RateLimitedError,
  ReplayError,
  RevokedError,
  type RoomKeyError,
  StoreIntegrityError,
  TamperedError,
  TooLargeError,
  UnavailableError,
  UnknownEpochError,
  UnsupportedError,
  WrongPassphraseError,
} from '../../../core/errors.ts';
import { errorFromReply, errorToReply } from '../../../core/transport/index.ts';
import { v1 } from '../../../proto/index.ts';

const ROOM = 'b'.repeat(32);
const AT = Date.UTC(2030, 0, 1);

/** One error of every class, each code at least once. */
const ERRORS: RoomKeyError[] = [
  new MalformedError('bad bytes'),
  new BadSignatureError('the device signature does not verify'),
  new NotMemberError('not a member at epoch 3'),
  new UnknownEpochError(ROOM, 7),
  new ReplayError('seen before'),
  new DecryptError('does not open'),
  new ForbiddenError('policy says no'),
  new NotApprovedError('site not approved'),
  new ExtensionOnlyError(),
  new NotFoundError('no such room'),
  new ConflictError('a concurrent commit won'),
  new RateLimitedError(AT, 'slow down', AT - 5000),
  new BadCredentialsError(),
  new WrongPassphraseError(),
  new LockedError(),
  new TamperedError('record moved'),
  new TooLargeError('too big'),
  new RevokedError('device revoked'),
  new ExpiredError('certificate expired'),
  new UnsupportedError('no WebCrypto'),
  new UnavailableError('gateway down'),
  new InternalError('gateway failed'),
  new StoreIntegrityError('missing-record', ['room/abc']),
];

function assertSame(back: RoomKeyError, error: RoomKeyError, how: string): void {
  assert.equal(back.constructor, error.constructor, `${how}: ${error.constructor.name}`);
  assert.equal(back.code, error.code, how);
  assert.equal(back.message, error.message, how);
}

describe('error table', () => {
  it('has an error of every code core/errors.ts lists', () => {
    assert.deepEqual(new Set(ERRORS.map((e) => e.code)), new Set(ERROR_CODE_NAMES));
  });

  it('keeps every class, code, message and field across the bridge', () => {
    for (const error of ERRORS) {
      const back = fromWireError(JSON.parse(JSON.stringify(toWireError(error))));
      assertSame(back, error, 'bridge');
    }
    const epoch = fromWireError(toWireError(new UnknownEpochError(ROOM, 7))) as UnknownEpochError;
    assert.deepEqual([epoch.roomId, epoch.epoch], [ROOM, 7]);
    const integrity = fromWireError(
      JSON.parse(JSON.stringify(toWireError(new StoreIntegrityError('older-manifest', ['a', 'b'])))),
    ) as StoreIntegrityError;
    assert.deepEqual([integrity.reason, integrity.records], ['older-manifest', ['a', 'b']]);
    assert.equal((fromWireError(toWireError(new RateLimitedError(AT))) as RateLimitedError).retryAtMs, AT);
  });

  it('keeps every class the gateway can send through its ErrorReply', () => {
    const internal = new Set([
      'decrypt-failed',
      'wrong-passphrase',
      'locked',
      'tampered',
      'unsupported',
      'integrity',
    ]);
    for (const error of ERRORS) {
      const bytes = encode(v1.ErrorReply, errorToReply(error));
      const back = errorFromReply(decode(v1.ErrorReply, bytes, 'error reply'), AT - 5000);
      if (internal.has(error.code)) {
        // Client-side only: the gateway never says them, and reports anything it cannot name as internal.
        assert.ok(back instanceof InternalError, error.code);
        continue;
      }
      // The bridge's forbidden variants are not the gateway's to say: they arrive as ForbiddenError.
      const expected =
        error instanceof NotApprovedError || error instanceof ExtensionOnlyError ? 'forbidden' : '';
      if (expected) {
        assert.equal(back.constructor, ForbiddenError, error.constructor.name);
        continue;
      }
      if (error instanceof InternalError) {
        assert.ok(back instanceof InternalError);
        continue;
      }
      assertSame(back, error, 'gateway');
    }
    const limited = errorFromReply(errorToReply(new RateLimitedError(AT)), AT - 2000) as RateLimitedError;
    assert.deepEqual([limited.retryAtMs, limited.retryAfterMs], [AT, 2000]);
  });

  it('drops fields of the wrong type or size, and unknown codes become internal', () => {
    const odd = fromWireError({
      code: 'integrity',
      message: 'm',
      reason: 'made-up',
      records: ['x'.repeat(1000)],
    }) as StoreIntegrityError;
    assert.ok(odd instanceof StoreIntegrityError);
    assert.deepEqual(odd.records, []);
    assert.notEqual(odd.reason, 'made-up');
    const epoch = fromWireError({
      code: 'unknown-epoch',
      message: 'm',
      roomId: 5,
      epoch: -1,
    }) as UnknownEpochError;
    assert.deepEqual([epoch.roomId, epoch.epoch], ['', 0]);
    assert.ok(
      !(fromWireError({ code: 'forbidden', message: 'm', notApproved: 'yes' }) instanceof NotApprovedError),
    );
    assert.ok(reviveError('toString', 'm') instanceof InternalError);
    assert.ok(reviveError('__proto__', 'm') instanceof InternalError);
    assert.equal(fromWireError({ code: 'locked', message: 'x'.repeat(5000) }).message.length, 2000);
  });
});
