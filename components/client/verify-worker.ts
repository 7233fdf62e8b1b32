/**
 * The page's verify workers (core/client verify-pool.ts): the worker script is `verify-worker.js`
 * beside roomkey.js (scripts/build.ts), one folder above the in-page chunk. A page on another
 * origin than the bundle (the script tag embedded cross-origin) cannot start a worker from the
 * bundle's URL, so it starts one from a blob that imports it (the gateway serves /dist with CORS).
 * Anything that stops a worker (a CSP without worker-src blob:, a missing file) leaves the pool
 * verifying in the page, as before.
 * @example const pool = new VerifyPool(verifyWorkerFactory(import.meta.url));
 */
export function verifyWorkerFactory(chunkUrl: string): () => Worker {
  const script = new URL('../verify-worker.js', chunkUrl);
  return () => {
    if (typeof location !== 'undefined' && script.origin === location.origin)
      return new Worker(script, { type: 'module', name: 'roomkey-verify' });
    const source = `import ${JSON.stringify(script.href)};`;
    const blob = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    try {
      return new Worker(blob, { type: 'module', name: 'roomkey-verify' });
    } finally {
      // The worker fetched its script when it was made; the URL is not needed after.
      setTimeout(() => URL.revokeObjectURL(blob), 10_000);
    }
  };
}
