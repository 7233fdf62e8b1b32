// The passkey admin commands are checked like every admin command: base64url bytes only, within
// bounds; anything else is a MalformedError before the background acts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedError } from '../../../core/errors.ts';
import { checkAdmin } from '../../../extension/lib/messages.ts';

test('passkey admin commands: well-formed arguments pass, hostile ones are refused', () => {
  const ok = { credentialId: 'AAEC', prfSalt: 'A'.repeat(43), secret: 'B'.repeat(43) };
  assert.deepEqual(checkAdmin('passkeyAdd', ok), { command: 'passkeyAdd', args: ok });
  assert.deepEqual(
    checkAdmin('passkeyUnlock', { credentialId: 'AAEC', secret: 'B'.repeat(43) }).command,
    'passkeyUnlock',
  );
  assert.deepEqual(checkAdmin('passkeys', { anything: 1 }), { command: 'passkeys', args: {} });
  for (const bad of [
    { ...ok, secret: '' },
    { ...ok, secret: 'not base64!' },
    { ...ok, credentialId: 'A'.repeat(1401) },
    { ...ok, prfSalt: 42 },
    { credentialId: 'AAEC' },
  ]) {
    assert.throws(() => checkAdmin('passkeyAdd', bad), MalformedError);
  }
  assert.throws(() => checkAdmin('passkeyUnlock', { credentialId: 'AAEC', secret: ['x'] }), MalformedError);
});
