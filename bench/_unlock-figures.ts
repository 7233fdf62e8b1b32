// Store unlock with the production Argon2id costs (t=3, 64 MiB, p=1), next to its anchor measured in
// the same run: the same KEK on @noble/hashes, the implementation every unlock used before issue 19.
// Runtime-agnostic: Node (store.bench.ts) and Chromium (crypto-chromium.bench.ts) run it unchanged.
import { argon2id } from 'hash-wasm';
import { argon2Backend } from '../core/store/_argon2.ts';
import { DEFAULT_ARGON2_PARAMS, EncryptedStore, MemoryBackend } from '../core/store/index.ts';
import { passphraseKek } from '../core/store/private-passphrase-wrap.ts';
import { medianMs, type Report } from './_rate.ts';

const PASSPHRASE = 'bench passphrase';

/**
 * Reports store-unlock-default (median ms of `runs` unlocks, memory backend), argon2id-default.<backend>
 * (the KEK alone), argon2id-default.noble (anchor) and store-unlock-default.vs-before (anchor / unlock).
 * @example await unlockFigures(report, 3);
 */
export async function unlockFigures(report: Report, runs: number): Promise<void> {
  // Where an unlock's time goes: loading the WebAssembly (chunk, compile, known-answer test) once,
  // then per unlock the hash itself, which the library's own call below bounds from under.
  const loadStart = performance.now();
  const chosen = await argon2Backend();
  const loadMs = performance.now() - loadStart;
  const backend = new MemoryBackend();
  (await EncryptedStore.create(backend, PASSPHRASE, DEFAULT_ARGON2_PARAMS)).lock();
  const unlock = await medianMs(runs, async () => {
    const store = await EncryptedStore.open(backend);
    await store.unlock(PASSPHRASE);
    store.lock();
  });
  const salt = new Uint8Array(16).fill(7);
  const kek = (on: 'wasm' | 'noble') =>
    passphraseKek(PASSPHRASE, salt, DEFAULT_ARGON2_PARAMS, { backend: on });
  const before = await medianMs(runs, () => kek('noble'));
  report('store-unlock-default', unlock, `ms (Argon2id on ${chosen}, memory backend)`);
  if (chosen === 'wasm') {
    report('argon2id-load.wasm', loadMs, 'ms (once: chunk, WebAssembly compile, known-answer test)');
    report('argon2id-default.wasm', await medianMs(runs, () => kek('wasm')), 'ms (the KEK alone)');
    // The floor: hash-wasm's own call with the same costs (a fresh instance and 64 MiB each time).
    const raw = await medianMs(runs, () =>
      argon2id({
        password: PASSPHRASE,
        salt,
        iterations: DEFAULT_ARGON2_PARAMS.t,
        memorySize: DEFAULT_ARGON2_PARAMS.mKib,
        parallelism: DEFAULT_ARGON2_PARAMS.p,
        hashLength: 32,
        outputType: 'binary',
      }),
    );
    report('argon2id-default.hash-wasm', raw, 'ms (anchor: the library called directly, this run)');
    report('store-unlock-default.vs-library', unlock / raw, 'ratio (unlock over the library floor)');
  }
  report('argon2id-default.noble', before, 'ms (anchor: Argon2id before issue 19, this run)');
  report('store-unlock-default.vs-before', before / unlock, 'ratio (times faster than the anchor)');
}
