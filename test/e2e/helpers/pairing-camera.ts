// The fake camera for pairing tests: a QR code drawn into a one-frame YUV4MPEG2 (.y4m) file that
// Chromium plays as its camera with --use-fake-device-for-media-stream
// --use-file-for-fake-video-capture=FILE (see ../../../../shared/TOOLCHAIN.md, verified with jsQR).
import { writeFileSync } from 'node:fs';
import { encodeQR } from '@paulmillr/qr';

const WIDTH = 640;
const HEIGHT = 480;

/** Chromium flags that make `file` the camera (and grant camera access without asking). */
export function fakeCameraArgs(file: string): string[] {
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${file}`,
  ];
}

/** Writes `text` as a QR code (black on white, centred, 4-module quiet zone) into `file`. */
export function writeQrVideo(file: string, text: string | null): void {
  const y = new Uint8Array(WIDTH * HEIGHT).fill(255);
  if (text !== null) {
    const cells = encodeQR(text, 'raw', { ecc: 'medium' });
    const modules = cells.length + 8;
    const scale = Math.floor(Math.min(WIDTH, HEIGHT) / modules);
    const left = Math.floor((WIDTH - modules * scale) / 2) + 4 * scale;
    const top = Math.floor((HEIGHT - modules * scale) / 2) + 4 * scale;
    for (const [row, line] of cells.entries()) {
      for (const [col, dark] of line.entries()) {
        if (!dark) continue;
        for (let dy = 0; dy < scale; dy++) {
          const start = (top + row * scale + dy) * WIDTH + left + col * scale;
          y.fill(0, start, start + scale);
        }
      }
    }
  }
  const chroma = new Uint8Array((WIDTH / 2) * (HEIGHT / 2)).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\nFRAME\n`);
  writeFileSync(file, Buffer.concat([header, y, chroma, chroma]));
}
