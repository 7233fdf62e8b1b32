// The verify worker as the browser tests load it (scripts/run-browser-tests.ts bundles *.worker.ts).
import '../../core/client/verify-pool-worker.ts';
