import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inScope, roomDeepLink, roomDeepLinkPath, roomFromUrl } from '../../../sw/deep-link.ts';

const scope = 'http://127.0.0.1:8080/';

describe('deep links #room=<id>', () => {
  it('builds the link to a room, and to the app for no room', () => {
    assert.equal(roomDeepLink('abc', scope), 'http://127.0.0.1:8080/#room=abc');
    assert.equal(roomDeepLinkPath('abc', scope), '/#room=abc');
    assert.equal(roomDeepLink('', scope), scope);
    assert.equal(roomDeepLinkPath('', scope), '/');
    assert.equal(roomDeepLinkPath('x', 'https://example.com/app/?utm=1'), '/app/#room=x');
  });

  it('round-trips any room id, whatever characters it holds', () => {
    for (const id of ['Zm9v-_bar', 'a b', 'a+b', 'a&room=evil', '#x', 'ü/é?%']) {
      assert.equal(roomFromUrl(roomDeepLink(id, scope)), id);
    }
  });

  it("reads '' from URLs without a room, and from garbage", () => {
    assert.equal(roomFromUrl(scope), '');
    assert.equal(roomFromUrl(`${scope}#other=1`), '');
    assert.equal(roomFromUrl('not a url'), '');
  });

  it('knows which windows belong to the app', () => {
    assert.ok(inScope(`${scope}#room=a`, scope));
    assert.ok(inScope('https://example.com/app/x', 'https://example.com/app/'));
    assert.ok(!inScope('https://example.com/other', 'https://example.com/app/'));
    assert.ok(!inScope('http://127.0.0.1:9090/', scope), 'another port is another origin');
    assert.ok(!inScope('about:blank', scope));
  });
});
