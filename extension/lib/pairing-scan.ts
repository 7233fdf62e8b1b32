/**
 * Reading a new device's pairing QR with the camera, in the extension's own tab (pair.html):
 * Chromium shows no camera prompt for a popup, a tab of the extension may ask. getUserMedia frames
 * are drawn to a canvas and read by jsQR (BarcodeDetector does not exist in Chromium on Linux).
 * The elements have the same reader (components/devices-qr.ts); the extension may import them only
 * as elements, so this is its own copy of the few lines.
 * @example const stop = await scanPairingQr(video, (text) => approve(text));
 */
import { PAIRING_TEXT } from './pairing-admin.ts';

type JsQr = typeof import('jsqr').default;

/** jsQR is CommonJS (exports.default under __esModule): its function is one `default` deep or two. */
async function loadJsQr(): Promise<JsQr> {
  const mod = (await import('jsqr')) as unknown as { default: JsQr | { default: JsQr } };
  return typeof mod.default === 'function' ? mod.default : mod.default.default;
}

/** How often a camera frame is read (reading one takes a few ms). */
const SCAN_INTERVAL_MS = 150;

/**
 * Shows the camera in `video` and calls `onText` once with the first pairing code it reads;
 * resolves with a function that stops the camera. Rejects when there is no camera or no consent.
 * @example const stop = await scanPairingQr(video, onText);
 */
export async function scanPairingQr(
  video: HTMLVideoElement,
  onText: (text: string) => void,
): Promise<() => void> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This browser cannot use a camera here: paste the code’s text instead.');
  }
  const [jsQR, stream] = await Promise.all([
    loadJsQr(),
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }),
  ]);
  video.srcObject = stream;
  video.muted = true;
  video.setAttribute('playsinline', '');
  await video.play().catch(() => undefined);
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const timer = setInterval(() => {
    if (stopped || !context || video.readyState < 2 || !video.videoWidth) return;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'dontInvert' });
    // Any other QR in view (a link, a safety number) is not ours: keep looking.
    if (found?.data && PAIRING_TEXT.test(found.data)) {
      stop();
      onText(found.data.trim());
    }
  }, SCAN_INTERVAL_MS);
  return stop;
}
