/**
 * The extension as the NEW device (issue 15: with the extension present, pairing happens in its
 * own UI, never in a page): the popup asks for the server and a password for this device's keys,
 * the background makes the one-shot offer and keeps its progress — the QR text, then the code to
 * compare, then signed in or why not — so a popup that closed and opened again shows where it is.
 * @example await newDevice.start(account, { gateway, password }); newDevice.view;
 */
import type { Account } from './account.ts';

/** What the popup shows while this device waits to be paired. */
export interface NewDeviceView {
  state: 'offer' | 'code' | 'done' | 'failed';
  qrText: string;
  expiresAtMs: number;
  code: string;
  username: string;
  error: string;
}

export class NewDevicePairing {
  #view: NewDeviceView | null = null;
  #cancel: (() => Promise<void>) | undefined;

  get view(): NewDeviceView | null {
    return this.#view;
  }

  /** Starts pairing; resolves once the offer is shown (the rest goes on in the background). */
  async start(account: Account, input: { gateway: string; password: string }): Promise<NewDeviceView> {
    await this.cancel();
    let shown: (view: NewDeviceView) => void = () => undefined;
    const offered = new Promise<NewDeviceView>((resolve) => (shown = resolve));
    const blank = { qrText: '', expiresAtMs: 0, code: '', username: '', error: '' };
    const pairing = account.pair({
      ...input,
      progress: {
        offer: (view, cancel) => {
          this.#cancel = cancel;
          this.#view = { ...blank, state: 'offer', ...view };
          shown(this.#view);
        },
        hello: (hello) => {
          if (this.#view) this.#view = { ...this.#view, state: 'code', ...hello };
        },
      },
    });
    pairing.then(
      (session) => {
        this.#cancel = undefined;
        this.#view = { ...(this.#view ?? { ...blank }), state: 'done', username: session.username };
      },
      (error: unknown) => {
        this.#cancel = undefined;
        this.#view = { ...(this.#view ?? { ...blank }), state: 'failed', error: messageOf(error) };
        shown(this.#view);
      },
    );
    return offered;
  }

  /** Gives up (the channel closes at the gateway: the other device can send nothing). */
  async cancel(): Promise<null> {
    const cancel = this.#cancel;
    this.#cancel = undefined;
    this.#view = null;
    await cancel?.().catch(() => undefined);
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
