/**
 * Adding a device from the extension (issue 15): the popup reads the new device's code (camera or
 * pasted text) and sends it here, the background says hello and keeps the one approval waiting
 * for the user's answer — the popup may close meanwhile, the answer may come from a new popup.
 * Nothing secret leaves before `confirm`; a new approval or a lock cancels the one waiting.
 * @example await pairing.approve(account.session(), text); await pairing.confirm();
 */

import type { PairingApproval } from '../../core/client/index.ts';
import { ConflictError, MalformedError, UnsupportedError } from '../../core/errors.ts';
import type { BackgroundSession } from './background-session.ts';

/** What the popup shows while an approval waits. */
export interface PairingView {
  /** Six digits to compare with the new device's screen. */
  code: string;
  expiresAtMs: number;
}

/** The QR text the popup may send (what core/crypto/pairing.ts accepts, checked again there). */
export const PAIRING_TEXT = /^\s*roomkey-pair:v1:[A-Za-z0-9_-]{16,600}\s*$/;

export class PairingAdmin {
  #waiting: { approval: PairingApproval; view: PairingView } | undefined;

  /** The approval waiting for an answer, if any (and not expired). */
  get view(): PairingView | null {
    const w = this.#waiting;
    if (!w || w.view.expiresAtMs <= Date.now()) return null;
    return w.view;
  }

  async approve(session: BackgroundSession, text: string): Promise<PairingView> {
    if (!PAIRING_TEXT.test(text)) {
      throw new MalformedError('This is not a RoomKey pairing code: scan the code the new device shows.');
    }
    if (!session.approvePairing) throw new UnsupportedError('This RoomKey cannot add devices.');
    await this.cancel();
    const approval = await session.approvePairing(text);
    const view = { code: approval.code, expiresAtMs: approval.expiresAtMs };
    this.#waiting = { approval, view };
    return view;
  }

  async confirm(): Promise<null> {
    const w = this.#take();
    await w.approval.confirm({ deviceName: 'new device' });
    return null;
  }

  /** Cancels the approval waiting (nothing is sent); nothing waiting is fine. */
  async cancel(): Promise<null> {
    const w = this.#waiting;
    this.#waiting = undefined;
    if (w) await w.approval.cancel().catch(() => undefined);
    return null;
  }

  #take() {
    const w = this.#waiting;
    this.#waiting = undefined;
    if (!w) throw new ConflictError('No device is waiting to be added: scan its code again.');
    return w;
  }
}
