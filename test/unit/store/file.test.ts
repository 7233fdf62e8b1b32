// core/store over the Node file backend, in a temporary directory removed afterwards; plus the
// file backend's own guarantees (atomic replace, permissions, names safe on any file system).
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileBackend } from '../../../core/store/file-backend.ts';
import type { StoreBackend } from '../../../core/store/index.ts';
import { defineIntegritySuite } from './integrity-suite.ts';
import { type BackendHarness, defineStoreSuite } from './suite.ts';

const root = await mkdtemp(join(tmpdir(), 'roomkey-store-test-'));
after(() => rm(root, { recursive: true, force: true }));

const dirs = new Map<StoreBackend, string>();
let counter = 0;

async function fresh(): Promise<FileBackend> {
  const dir = join(root, `s${counter++}`);
  const backend = await FileBackend.open(dir);
  dirs.set(backend, dir);
  return backend;
}

const harness: BackendHarness = {
  fresh,
  async reopen(backend) {
    const dir = dirs.get(backend)!;
    const again = await FileBackend.open(dir);
    dirs.set(again, dir);
    return again;
  },
  async dump(backend) {
    const dir = dirs.get(backend)!;
    const out: Uint8Array[] = [];
    for (const name of await readdir(dir)) {
      out.push(new TextEncoder().encode(name), new Uint8Array(await readFile(join(dir, name))));
    }
    return out;
  },
};
defineStoreSuite('file', { describe, it }, harness);
defineIntegritySuite('file', { describe, it }, harness);

describe('file backend', () => {
  it('round-trips bytes, lists keys, deletes, ignores foreign files', async () => {
    const backend = await fresh();
    const dir = dirs.get(backend)!;
    assert.equal(await backend.get('nope'), undefined);
    await backend.set('Key', new Uint8Array([1, 2]));
    await backend.set('key', new Uint8Array([3]));
    await backend.set('ключ/..', new Uint8Array([4]));
    const got = await backend.get('Key');
    assert.equal(got?.constructor, Uint8Array, 'a plain Uint8Array, not a Buffer');
    assert.deepEqual([...got!], [1, 2]);
    assert.deepEqual([...(await backend.get('key'))!], [3], 'keys differing in case are distinct files');
    await writeFile(join(dir, 'README.txt'), 'not ours');
    await writeFile(join(dir, 'zz.rk'), 'not hex utf-8');
    assert.deepEqual((await backend.keys()).sort(), ['Key', 'key', 'ключ/..'].sort());
    await backend.delete('Key');
    await backend.delete('Key');
    assert.deepEqual((await backend.keys()).sort(), ['key', 'ключ/..'].sort());
  });

  it('writes private files, atomically, leaving no temporary files', async () => {
    const backend = await fresh();
    const dir = dirs.get(backend)!;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => backend.set('same', new Uint8Array(1000).fill(i))),
    );
    const value = (await backend.get('same'))!;
    assert.equal(value.length, 1000);
    assert.ok(
      value.every((b) => b === value[0]),
      'one whole write won, not a mix',
    );
    const names = await readdir(dir);
    assert.deepEqual(
      names,
      names.filter((n) => n.endsWith('.rk')),
    );
    if (process.platform !== 'win32') {
      assert.equal((await stat(join(dir, names[0]!))).mode & 0o777, 0o600);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
    }
  });

  it('reports I/O failures as typed errors', async () => {
    const backend = await fresh();
    const dir = dirs.get(backend)!;
    await rm(dir, { recursive: true });
    await writeFile(dir, 'a file where the directory was');
    await assert.rejects(() => backend.keys(), { name: 'StoreIoError', code: 'internal' });
    await assert.rejects(() => backend.set('k', new Uint8Array(1)), { name: 'StoreIoError' });
    await assert.rejects(() => FileBackend.open(dir), { name: 'StoreIoError' });
    await assert.rejects(() => backend.set('x'.repeat(121), new Uint8Array(1)), { name: 'TooLargeError' });
  });
});
