// Every error a person can see is written for a person (issue 17 item 5): each code has a sentence
// that says what to do, and a message with an id, a stack or an internal prefix never reaches the
// screen — components/private-errors.ts's errorText, which every element uses, shows the code's
// sentence instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorText } from '../../../components/private-errors.ts';
import { failedMessage, heldMessage } from '../../../core/client/chat-message.ts';
import {
  BadCredentialsError,
  ConflictError,
  ERROR_CODE_NAMES,
  ERROR_USER_TEXT,
  InternalError,
  MalformedError,
  NotFoundError,
  RoomKeyError,
  StoreIntegrityError,
  UnknownEpochError,
  WrongPassphraseError,
} from '../../../core/errors.ts';

/** The rule, written out here on its own (not core's isPersonText, so the two can disagree). */
function problems(text: string): string[] {
  const found: string[] = [];
  for (const token of text.match(/[A-Za-z0-9+/=_-]{12,}/g) ?? [])
    if (/\d/.test(token) || /[A-Z]/.test(token.slice(1))) found.push(`id-like token ${token}`);
  if (/[A-Za-z0-9]{2,}[A-Z\d][A-Za-z0-9]*…/.test(text)) found.push('a cut-off id');
  if (/Error:/.test(text)) found.push('"Error:"');
  if (/^[a-z][\w .-]*: /.test(text)) found.push('an internal "prefix: "');
  if (/\n\s+at /.test(text)) found.push('a stack line');
  if (!/^[A-Z]/.test(text) || !/[.!?]$/.test(text)) found.push('not a sentence');
  return found;
}

const roomId = 'rm_4fQm9ZkP2xWc7LrT0aBd';
const userId = 'RWCmZ3k9Qx1vTn8yPq2LsA';
const hex = '9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b';

/** Messages that reached people before (the example first), and what they come out as. */
const raw: [string, Error][] = [
  ['add commit (the issue)', new MalformedError(`add commit: ${userId} is already a member`)],
  ['cut-off id', new ConflictError('add commit: RWCm… is already a member')],
  ['unknown epoch with the room id', new UnknownEpochError(roomId, 3)],
  ['resend with the message id', new ConflictError(`Your message ${hex} was not delivered.`)],
  ['a stack', Object.assign(new Error('boom'), { message: 'Error: boom\n    at x (y.ts:1:1)' })],
  ['not found with an org id', new NotFoundError(`No org ${roomId}.`)],
  ['internal with the subject', new InternalError(`rk.v1.gw.room.commit: ${hex}`)],
  ['a plain Error with a prefix', new Error('store: record a1b2c3d4e5f6a7b8 is damaged')],
];

describe('error texts for people', () => {
  it('every error code has a sentence that says what to do, with no id-like token', () => {
    for (const code of ERROR_CODE_NAMES) {
      const text = ERROR_USER_TEXT[code];
      assert.ok(text, `${code} has a sentence`);
      assert.deepEqual(problems(text), [], `${code}: ${text}`);
      // What errorText shows for an error of that code whose own message is internal.
      assert.equal(errorText(new RoomKeyError(code, `${code}: ${userId}`)), text);
    }
  });

  for (const [name, error] of raw) {
    it(`an internal message is not shown: ${name}`, () => {
      const shown = errorText(error);
      assert.deepEqual(problems(shown), [], `shown: ${shown}`);
      assert.ok(!shown.includes(userId) && !shown.includes(roomId) && !shown.includes(hex));
    });
  }

  it('a message written for people is shown as it is', () => {
    for (const error of [
      new WrongPassphraseError(),
      new BadCredentialsError(),
      new StoreIntegrityError('missing-record', ['pins']),
      new ConflictError('bob is already a member of this room.'),
      new NotFoundError('No user is called "carol".'),
    ]) {
      assert.equal(errorText(error), error.message);
    }
    // The sign-up form shows the username rule's text (components/sign-in.ts strips the prefix).
    const rule = new MalformedError('username: must start and end with a letter or digit');
    assert.equal(errorText(rule), rule.message);
  });

  it('anything else thrown gets a general sentence', () => {
    for (const thrown of [undefined, null, 42, '', {}, new Error('')])
      assert.deepEqual(problems(errorText(thrown)), []);
  });

  it("a held or unreadable row's reason names no room or id", () => {
    const facts = { roomId: 'r', messageId: hex, epoch: 3, seq: 1, storedAtMs: 1 };
    for (const reason of [
      new UnknownEpochError(roomId, 3).message,
      `not a member at epoch 3: ${userId}`,
      '',
    ]) {
      for (const row of [failedMessage({ ...facts, reason }), heldMessage({ ...facts, reason })])
        assert.deepEqual(problems(row.reason), [], `${row.status}: ${row.reason}`);
    }
    const written = 'No key for epoch 3 yet: waiting for a member.';
    assert.equal(heldMessage({ ...facts, reason: written }).reason, written, 'a reason for people stays');
  });
});
