/**
 * Reading a new device's pairing QR with the camera, in the extension's own tab (pair.html):
 * Chromium shows no camera prompt for a popup, a tab of the extension may ask. The reader is the
 * elements' own (core/client/qr-camera.ts).
 * @example const stop = await scanPairingQr(video, (text) => approve(text));
 */
import { scanQr } from '../../core/client/qr-camera.ts';
import { PAIRING_TEXT } from './pairing-admin.ts';

/**
 * Shows the camera in `video` and calls `onText` once with the first pairing code it reads (any
 * other QR in view, a link or a safety number, is not ours); resolves with a function that stops
 * the camera. Rejects when there is no camera or no consent.
 * @example const stop = await scanPairingQr(video, onText);
 */
export function scanPairingQr(video: HTMLVideoElement, onText: (text: string) => void): Promise<() => void> {
  return scanQr(
    video,
    (text) => PAIRING_TEXT.test(text),
    (text) => onText(text.trim()),
  );
}
