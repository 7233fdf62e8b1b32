// Who is calling: only the browser's sender data counts, never the page's word.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BRIDGE_PORT, PAGE_PORT, sealedPortName } from '../../../extension/lib/messages.ts';
import { callerOf, webOrigin } from '../../../extension/lib/origin.ts';

const EXT = {
  id: 'abcdefghijklmnopabcdefghijklmnop',
  origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
};
const tab = { id: 7, url: 'https://app.example/rooms/1', windowId: 1 };
const page = (sender: object, name = BRIDGE_PORT) =>
  callerOf({ name, sender: { id: EXT.id, ...sender } }, EXT);
const refused = (caller: unknown) => assert.ok(caller instanceof Error, JSON.stringify(caller));

describe('origin derivation', () => {
  it('a content script acts for its frame’s origin, from sender.origin', () => {
    assert.deepEqual(page({ origin: 'https://app.example', url: 'https://app.example/x', tab, frameId: 0 }), {
      kind: 'site',
      origin: 'https://app.example',
      frame: 'page',
    });
  });

  it('sender.origin wins over the URL (a frame’s real origin), and "null" is refused', () => {
    assert.deepEqual(page({ origin: 'https://a.example', url: 'https://b.example/', tab, frameId: 3 }), {
      kind: 'site',
      origin: 'https://a.example',
      frame: 'page',
    });
    refused(page({ origin: 'null', url: 'https://app.example/', tab, frameId: 2 }));
  });

  it('without sender.origin (Firefox) the frame URL decides', () => {
    assert.deepEqual(page({ url: 'http://127.0.0.1:8080/a?b#c', tab, frameId: 0 }), {
      kind: 'site',
      origin: 'http://127.0.0.1:8080',
      frame: 'page',
    });
  });

  it('refuses other extensions, other schemes and missing senders', () => {
    refused(callerOf({ name: BRIDGE_PORT, sender: { id: 'other', origin: 'https://app.example' } }, EXT));
    refused(callerOf({ name: BRIDGE_PORT }, EXT));
    refused(page({ url: 'file:///etc/passwd', tab }));
    refused(page({ url: 'data:text/html,hi', tab }));
    refused(page({ url: 'https://user:pw@app.example/', tab }));
  });

  it('keeps the bridge port and the extension ports apart', () => {
    refused(page({ url: `${EXT.origin}/popup.html` })); // a bridge port from an extension page
    refused(page({ url: 'https://app.example/', origin: 'https://app.example', tab }, PAGE_PORT));
    refused(page({ url: `${EXT.origin}/popup.html`, tab, frameId: 4 }, PAGE_PORT)); // embedded
    refused(page({ url: `${EXT.origin}/popup.html` }, 'something-else'));
  });

  it('only the popup and approval window are admin', () => {
    assert.deepEqual(page({ url: `${EXT.origin}/popup.html` }, PAGE_PORT), {
      kind: 'extension',
      admin: true,
    });
    assert.deepEqual(page({ url: `${EXT.origin}/approve.html?id=1`, tab, frameId: 0 }, PAGE_PORT), {
      kind: 'extension',
      admin: true,
    });
    assert.deepEqual(page({ url: `${EXT.origin}/room.html?room=x`, tab, frameId: 0 }, PAGE_PORT), {
      kind: 'extension',
      admin: false,
    });
    // The web-accessible sealed page never speaks as the extension.
    refused(page({ url: `${EXT.origin}/sealed-room.html?room=x`, tab, frameId: 0 }, PAGE_PORT));
    refused(page({ url: `${EXT.origin}/sealed-room.html?room=x` }, PAGE_PORT));
  });

  it('a sealed frame acts for its direct embedder (ancestorOrigins), else the tab when the parent is top', () => {
    const sealed = { url: `${EXT.origin}/sealed-room.html?room=a`, tab, frameId: 5 };
    const name = (ancestors: string[] | null, parentIsTop: boolean) =>
      sealedPortName({ ancestors, parentIsTop });
    assert.deepEqual(page(sealed, name(['https://embed.example', 'https://app.example'], false)), {
      kind: 'site',
      origin: 'https://embed.example',
      frame: 'sealed',
    });
    assert.deepEqual(page(sealed, name(null, true)), {
      kind: 'site',
      origin: 'https://app.example',
      frame: 'sealed',
    });
    refused(page(sealed, name(null, false))); // nested, and no way to name the parent
    refused(page(sealed, name(['null'], false)));
    refused(page({ ...sealed, url: `${EXT.origin}/popup.html` }, name(['https://app.example'], false)));
    refused(page({ ...sealed, url: 'https://app.example/' }, name(['https://app.example'], false)));
    refused(page(sealed, 'roomkey-sealed:{not json'));
    // In a tab of its own (any site can open it there) the sealed page is refused, never the extension.
    refused(page({ ...sealed, frameId: 0 }, name([], true)));
    refused(page({ ...sealed, tab: undefined, frameId: 0 }, name([], true)));
  });

  it('webOrigin accepts only canonical http(s)', () => {
    assert.equal(webOrigin('HTTPS://App.Example:443/x'), 'https://app.example');
    assert.equal(webOrigin('blob:https://app.example/uuid'), undefined);
    assert.equal(webOrigin('chrome-extension://x/'), undefined);
    assert.equal(webOrigin(undefined), undefined);
  });
});
