// The store's key schedule checked against an independent implementation (node:crypto), key
// zeroing, record sealing, and the memory backend's copy semantics.
import { strict as assert } from 'node:assert';
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { toBase64Url } from '../../../core/bytes.ts';
import { TamperedError } from '../../../core/errors.ts';
import { MemoryBackend } from '../../../core/store/index.ts';
import { openRecord, recordId, sealRecord } from '../../../core/store/private-record.ts';
import { blindName, deriveStoreKeys, zeroStoreKeys } from '../../../core/store/private-subkeys.ts';

const storeKey = () => Uint8Array.from({ length: 32 }, (_, i) => i);
const storeId = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

describe('store key schedule', () => {
  it('matches HKDF-SHA256 / HMAC-SHA256 as documented in core/store/README.md', () => {
    const keys = deriveStoreKeys(storeKey(), storeId);
    const nameKey = new Uint8Array(hkdfSync('sha256', storeKey(), storeId, 'roomkey/v1/store/name', 32));
    const valueKey = new Uint8Array(hkdfSync('sha256', storeKey(), storeId, 'roomkey/v1/store/value', 32));
    assert.deepEqual(keys.nameKey, nameKey);
    assert.deepEqual(keys.valueKey, valueKey);
    const blinded = createHmac('sha256', nameKey).update('room/abc', 'utf8').digest();
    assert.deepEqual(blindName(keys, 'room/abc'), new Uint8Array(blinded));
    assert.equal(recordId(blindName(keys, 'room/abc')), toBase64Url(new Uint8Array(blinded)));
    assert.equal(recordId(blindName(keys, 'room/abc')).length, 43);
  });

  it('another store id gives other keys and other record ids for the same store key and name', () => {
    const a = deriveStoreKeys(storeKey(), storeId);
    const b = deriveStoreKeys(storeKey(), new Uint8Array(16));
    assert.notDeepEqual(a.nameKey, b.nameKey);
    assert.notDeepEqual(recordId(blindName(a, 'x')), recordId(blindName(b, 'x')));
  });

  it('zeroStoreKeys overwrites all three keys', () => {
    const keys = deriveStoreKeys(storeKey(), storeId);
    zeroStoreKeys(keys);
    for (const k of [keys.storeKey, keys.nameKey, keys.valueKey]) assert.ok(k.every((b) => b === 0));
  });
});

describe('store records', () => {
  it('seal/open round-trips; a record under another id, store or key is TamperedError', () => {
    const keys = deriveStoreKeys(storeKey(), storeId);
    const blinded = blindName(keys, 'name');
    const id = recordId(blinded);
    const bytes = sealRecord(keys, storeId, blinded, 'name', new Uint8Array([9, 8, 7]));
    assert.deepEqual([...openRecord(keys, storeId, id, bytes, 'name').value], [9, 8, 7]);
    assert.equal(openRecord(keys, storeId, id, bytes).name, 'name');
    assert.throws(() => openRecord(keys, storeId, id, bytes, 'other'), TamperedError);
    assert.throws(() => openRecord(keys, storeId, recordId(blindName(keys, 'other')), bytes), TamperedError);
    assert.throws(() => openRecord(keys, new Uint8Array(16), id, bytes), TamperedError);
    const otherKeys = deriveStoreKeys(new Uint8Array(32).fill(1), storeId);
    assert.throws(() => openRecord(otherKeys, storeId, id, bytes), TamperedError);
    assert.throws(() => openRecord(keys, storeId, id, 'not bytes'), TamperedError);
    assert.throws(() => openRecord(keys, storeId, '!!', bytes), TamperedError);
  });

  it('two seals of one value differ (fresh nonce)', () => {
    const keys = deriveStoreKeys(storeKey(), storeId);
    const blinded = blindName(keys, 'n');
    const a = sealRecord(keys, storeId, blinded, 'n', new Uint8Array(4));
    const b = sealRecord(keys, storeId, blinded, 'n', new Uint8Array(4));
    assert.notDeepEqual(a, b);
  });
});

describe('memory backend', () => {
  it('copies bytes in and out', async () => {
    const backend = new MemoryBackend();
    const value = new Uint8Array([1, 2, 3]);
    await backend.set('k', value);
    value[0] = 99;
    const out = (await backend.get('k'))!;
    assert.deepEqual([...out], [1, 2, 3]);
    out[1] = 99;
    assert.deepEqual([...(await backend.get('k'))!], [1, 2, 3]);
    await backend.delete('k');
    assert.deepEqual(await backend.keys(), []);
  });
});
