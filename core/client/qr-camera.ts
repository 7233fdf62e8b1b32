/**
 * Reading a QR code from the camera, for every UI that reads one (the devices and verify-contact
 * elements, the extension's pair page): getUserMedia frames drawn to a canvas and read by jsQR,
 * loaded only when a scan starts (BarcodeDetector does not exist in Chromium on Linux).
 * @example const stop = await scanQr(video, (t) => t.startsWith('roomkey-pair:'), onText);
 */
type JsQr = typeof import('jsqr').default;

/** jsQR is CommonJS (exports.default under __esModule): its function is one `default` deep or two. */
async function loadJsQr(): Promise<JsQr> {
  const mod = (await import('jsqr')) as unknown as { default: JsQr | { default: JsQr } };
  return typeof mod.default === 'function' ? mod.default : mod.default.default;
}

/** How often a camera frame is read (reading one takes a few ms). */
const SCAN_INTERVAL_MS = 150;

/**
 * Shows the camera in `video` and calls `onText` once with the first QR text that `accept` takes;
 * resolves with a function that stops the camera. Rejects when there is no camera or no consent.
 * @example const stop = await scanQr(video, (t) => t.startsWith('roomkey-pair:'), onText);
 */
export async function scanQr(
  video: HTMLVideoElement,
  accept: (text: string) => boolean,
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
    if (found?.data && accept(found.data)) {
      stop();
      onText(found.data);
    }
  }, SCAN_INTERVAL_MS);
  return stop;
}
