// The extension's verify window (lib/verify-window.ts): the path it opens names the contact and the
// asking site; while it is open a site's quick repeats do not open more windows; once the user
// closed it (whether or not the background heard of it yet) the next ask opens it again at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifyWindow, verifyRequestOf } from '../../../extension/lib/verify-window.ts';

function harness() {
  let now = 1_000;
  const opened: string[] = [];
  const open = new Set<number>();
  const windows = new VerifyWindow(
    {
      open: async (path) => {
        opened.push(path);
        open.add(opened.length);
        return opened.length;
      },
      focus: async (handle) => {
        if (!open.has(handle)) throw new Error('no such window');
      },
      close: async (handle) => {
        open.delete(handle);
      },
    },
    { now: () => now },
  );
  return { windows, opened, open, later: (ms: number) => (now += ms) };
}

describe('the verify window', () => {
  it('opens for the contact and the asking site, once for quick repeats', async () => {
    const { windows, opened } = harness();
    await windows.show({ site: 'https://a.example', userId: 'u1' });
    await windows.show({ site: 'https://a.example', userId: 'u1' });
    await windows.show({ site: 'https://a.example', userId: 'u2' });
    assert.equal(opened.length, 1);
    assert.deepEqual(verifyRequestOf(new URL(opened[0]!, 'x:/').search), {
      userId: 'u1',
      site: 'https://a.example',
    });
  });

  it('opens again at once after the user closed it, heard of or not', async () => {
    const { windows, opened, open, later } = harness();
    await windows.show({ site: 'https://a.example', userId: 'u1' });
    open.delete(1); // closed by the user; onRemoved not delivered yet
    later(500);
    await windows.show({ site: 'https://a.example', userId: 'u1' });
    assert.equal(opened.length, 2);
    windows.closed(2);
    await windows.show({ site: 'https://a.example', userId: 'u1' });
    assert.equal(opened.length, 3);
  });

  it('after the quiet time a new ask replaces the window shown', async () => {
    const { windows, opened, open, later } = harness();
    await windows.show({ site: 'https://a.example', userId: 'u1' });
    later(5_000);
    await windows.show({ site: 'https://a.example', userId: 'u2' });
    assert.equal(opened.length, 2);
    assert.deepEqual([...open], [2], 'the first one was closed');
  });
});
