/**
 * DOM helpers for component tests: mount an element in a fresh `<main>`, query its shadow root,
 * wait for conditions, find the focused element through shadow roots.
 * @example const el = await mount('roomkey-sign-in', { client });
 */
import { AssertionError } from '../../helpers/assert.ts';

let current: HTMLElement | undefined;

/** Removes the previous fixture, then mounts `tag` (with properties set before connecting) in a new `<main>`. */
export async function mount<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]> = {},
  attributes: Record<string, string> = {},
): Promise<HTMLElementTagNameMap[K]> {
  unmount();
  const main = document.createElement('main');
  main.style.cssText = 'display:block;width:720px;padding:8px';
  const element = document.createElement(tag);
  Object.assign(element, properties);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  main.append(element);
  document.body.append(main);
  current = main;
  await settle(element);
  return element;
}

/** The `<main>` holding the current fixture. */
export function fixture(): HTMLElement {
  if (!current) throw new AssertionError('nothing mounted');
  return current;
}

export function unmount(): void {
  current?.remove();
  current = undefined;
}

/** The first match in `element`'s shadow root; fails the test when there is none. */
export function $<E extends Element = HTMLElement>(element: Element, selector: string): E {
  const found = element.shadowRoot?.querySelector<E>(selector);
  if (!found) throw new AssertionError(`no ${selector} in <${element.localName}>`);
  return found;
}

/** Every match in `element`'s shadow root. */
export function $$<E extends Element = HTMLElement>(element: Element, selector: string): E[] {
  return [...(element.shadowRoot?.querySelectorAll<E>(selector) ?? [])];
}

/** The text of `element`'s shadow root (or of a match in it), whitespace collapsed. */
export function textOf(element: Element, selector?: string): string {
  const node = selector ? $(element, selector) : element.shadowRoot;
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** Waits for a Lit element's pending update and two frames (layout, resize observers). */
export async function settle(element: Element): Promise<void> {
  await (element as Element & { updateComplete?: Promise<unknown> }).updateComplete;
  await nextFrame();
  await nextFrame();
  await (element as Element & { updateComplete?: Promise<unknown> }).updateComplete;
}

/** Polls `check` every frame until it returns truthy; fails after `timeoutMs`. */
export async function until<T>(check: () => T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let lastError: unknown;
    try {
      value = check();
    } catch (error) {
      lastError = error;
    }
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) {
      throw new AssertionError(
        `timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await nextFrame();
  }
}

/** The focused element, looking through open shadow roots. */
export function deepActiveElement(): Element | null {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** Resolves with the next `type` event dispatched on `target`. */
export function nextEvent<T = unknown>(target: EventTarget, type: string): Promise<CustomEvent<T>> {
  return new Promise((resolve) =>
    target.addEventListener(type, (event) => resolve(event as CustomEvent<T>), { once: true }),
  );
}

/** Records every `type` event on `target`. */
export function recordEvents<T = unknown>(target: EventTarget, type: string): CustomEvent<T>[] {
  const seen: CustomEvent<T>[] = [];
  target.addEventListener(type, (event) => seen.push(event as CustomEvent<T>));
  return seen;
}
