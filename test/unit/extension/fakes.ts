// Fakes of the browser pieces the extension's lib/ takes as arguments: a storage area that
// keeps JSON (as extension storage does), and a prompt window answered by the test.
import type { StorageAreaLike } from '../../../core/store/extension-storage-backend.ts';
import type { PromptWindow } from '../../../extension/lib/approval-prompts.ts';

/** storage.local / storage.session: JSON values, so a Uint8Array would not survive (as in browsers). */
export class FakeArea implements StorageAreaLike {
  readonly data = new Map<string, string>();
  writes = 0;

  async get(keys: string | string[] | null): Promise<Record<string, unknown>> {
    const wanted = keys === null ? [...this.data.keys()] : typeof keys === 'string' ? [keys] : keys;
    const out: Record<string, unknown> = {};
    for (const key of wanted) {
      const value = this.data.get(key);
      if (value !== undefined) out[key] = JSON.parse(value);
    }
    return out;
  }

  async set(items: Record<string, unknown>): Promise<void> {
    this.writes++;
    for (const [key, value] of Object.entries(items)) this.data.set(key, JSON.stringify(value));
  }

  async remove(keys: string | string[]): Promise<void> {
    for (const key of typeof keys === 'string' ? [keys] : keys) this.data.delete(key);
  }
}

/** Records opened questions; the test answers through ApprovalPrompts.answer(id, …). */
export class FakeWindow implements PromptWindow {
  readonly opened: string[] = [];
  readonly closed: number[] = [];
  #next = 1;

  async open(id: string): Promise<number> {
    this.opened.push(id);
    return this.#next++;
  }

  async close(handle: number): Promise<void> {
    this.closed.push(handle);
  }
}

/** Resolves after pending microtasks and timers of 0 ms. */
export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export const ROOM_A = 'a'.repeat(32);
export const ROOM_B = 'b'.repeat(32);
export const SITE = 'https://app.example';
export const OTHER = 'https://evil.example';
