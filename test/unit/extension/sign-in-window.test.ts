// The sign-in window manager: one window at a time, concurrent asks share the opening, a window
// gone without notice is opened again, and the URL carries only the asker and its suggestion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignInWindow, signInPath, signInRequestOf } from '../../../extension/lib/sign-in-window.ts';

function control() {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  let hold = false;
  const gone = new Set<number>();
  return {
    calls,
    gone,
    hold: () => {
      hold = true;
    },
    release: () => release(),
    control: {
      open: async (path: string) => {
        calls.push(`open ${path}`);
        if (hold) await new Promise<void>((resolve) => (release = resolve));
        return calls.length;
      },
      focus: async (handle: number) => {
        calls.push(`focus ${handle}`);
        if (gone.has(handle)) throw new Error('no such window');
      },
    },
  };
}

describe('sign-in window', () => {
  it('asks that arrive while it opens share that one window', async () => {
    const c = control();
    const windows = new SignInWindow(c.control, { quietMs: 0 });
    c.hold();
    const first = windows.show({ site: 'https://a.example', gateway: null });
    const second = windows.show({ site: 'https://b.example', gateway: 'https://gw.example/' });
    c.release();
    await Promise.all([first, second]);
    assert.deepEqual(c.calls, ['open /sign-in.html?site=https%3A%2F%2Fa.example']);
    assert.equal(windows.open, true);
  });

  it('a window closed without notice is opened again instead of focused forever', async () => {
    const c = control();
    const windows = new SignInWindow(c.control, { quietMs: 0 });
    await windows.show({ site: null, gateway: null });
    c.gone.add(1);
    await windows.show({ site: null, gateway: null });
    assert.deepEqual(c.calls, ['open /sign-in.html', 'focus 1', 'open /sign-in.html']);
  });

  it('the URL round-trips the asker and the suggestion, and nothing else', () => {
    const request = { site: 'https://a.example', gateway: 'https://gw.example/path?x=1&y=2' };
    const path = signInPath(request);
    assert.deepEqual(signInRequestOf(path.slice(path.indexOf('?'))), request);
    assert.deepEqual(signInRequestOf(''), { site: null, gateway: null });
  });
});
