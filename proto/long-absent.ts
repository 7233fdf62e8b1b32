// Stands in for the `long` package in browser bundles (scripts/browser-aliases.ts): protobufjs's
// util.Long tries `require('long')`, which a bundler resolves and ships (11 KiB), while numbers.ts
// pins util.Long to null anyway. An empty module makes that `require` find no Long, as a browser
// without a bundler would.
export {};
