// Types the repository's tsc needs without WXT's generated .wxt/ folder (which `wxt prepare`
// writes and .gitignore leaves out): getURL on any path, and the build-time e2e flag.
export {};

declare module 'wxt/browser' {
  interface WxtRuntime {
    getURL(path: string): string;
  }
}

declare global {
  /** True only in `wxt build --mode e2e` (wxt.config.ts defines it); dead code elsewhere. */
  const __ROOMKEY_E2E__: boolean;
}
