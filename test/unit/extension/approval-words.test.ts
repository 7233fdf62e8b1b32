// The popup's words (extension/lib/approval-words.ts): no raw state names, and a waiting count
// that never contradicts the site list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountWords, emptySitesWords, pendingWords } from '../../../extension/lib/approval-words.ts';

describe('popup words', () => {
  it('says the account state for people, never a raw state name', () => {
    for (const keys of ['signed-out', 'locked', 'ready'] as const) {
      for (const connection of ['online', 'offline', 'connecting', 'reconnecting'] as const) {
        const words = accountWords({ keys, connection, username: 'alice' });
        // Raw names are lowercase words of the API ("signed-out", "ready", "online", "offline").
        assert.doesNotMatch(words, /signed-out|\bready\b|\bonline\b|\boffline\b/, words);
      }
    }
    assert.equal(accountWords({ keys: 'signed-out', connection: 'offline' }), 'Not signed in');
    assert.equal(
      accountWords({ keys: 'locked', connection: 'offline' }),
      'Locked: unlock to use your rooms',
      'locked is not "offline"',
    );
    assert.equal(
      accountWords({ keys: 'ready', connection: 'online', username: 'alice' }),
      'Signed in as alice · Unlocked · Online',
    );
  });

  it('one count of waiting questions, the same the site list speaks of', () => {
    assert.equal(pendingWords([]), '');
    assert.equal(emptySitesWords(0), 'No site has asked yet.');
    assert.match(pendingWords(['https://a.example']), /^https:\/\/a\.example is waiting for your answer/);
    assert.doesNotMatch(emptySitesWords(1), /No site has asked/, 'not "no site asked" while one waits');
    assert.match(pendingWords(['https://a.example', 'https://b.example']), /^2 sites are waiting/);
  });
});
