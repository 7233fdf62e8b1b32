// Mocha globals that @web/test-runner provides in the page.
declare function describe(name: string, fn: () => void): void;
declare function it(name: string, fn: () => unknown): void;
declare function before(fn: () => unknown): void;
declare function after(fn: () => unknown): void;
