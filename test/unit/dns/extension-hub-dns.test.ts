// The DNS status on its way to pages (extension/lib/hub.ts dnsChanged): an approved, registered
// frame hears it as a `dns` event (words only), one registering later gets the last one at once,
// and a site the user did not approve hears nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tick } from '../extension/fakes.ts';
import { startHub } from '../extension/hub-harness.ts';

const SITE = 'https://app.example';
const register = { type: 'frame', state: { visible: true, connected: true, focusedRoom: null } };

describe('extension hub: the DNS status for pages', () => {
  it('reaches approved frames (now and on registering), never an unapproved site', async () => {
    const { hub, site, answerNext } = await startHub();
    const app = site(SITE, 1);
    const connecting = app.call('connect');
    await answerNext('allow');
    assert.equal((await connecting).kind, 'result');
    app.emit(register);
    const stranger = site('https://evil.example', 2);
    stranger.emit(register);
    await tick();

    const view = { private: false, text: 'DNS: not private — possible DNS tampering' };
    hub.dnsChanged(view);
    await tick();
    assert.deepEqual(app.events('dns'), [{ type: 'dns', detail: view }]);
    assert.deepEqual(stranger.events('dns'), []);

    const later = site(SITE, 3);
    assert.equal((await later.call('connect')).kind, 'result');
    later.emit(register);
    await tick();
    assert.deepEqual(later.events('dns'), [{ type: 'dns', detail: view }]);
  });
});
