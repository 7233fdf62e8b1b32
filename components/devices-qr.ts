/**
 * QR codes for pairing, both ways: showing one (@paulmillr/qr, drawn as SVG rectangles, no markup
 * from strings) and reading one from the camera (core/client/qr-camera.ts, shared with the
 * extension's pair page).
 * Internal to `<roomkey-devices>`.
 * @example const stop = await scanQr(video, (text) => use(text));
 */
import { encodeQR } from '@paulmillr/qr';
import { html, svg, type TemplateResult } from 'lit';

/**
 * The QR code of `text` as an SVG image with an accessible label.
 * @example html`${qrSvg(flow.qrText, 'Pairing code')}`
 */
export function qrSvg(text: string, label: string, part = 'qr'): TemplateResult {
  const cells = encodeQR(text, 'raw', { ecc: 'medium' });
  const size = cells.length;
  let path = '';
  for (const [y, row] of cells.entries()) {
    for (const [x, dark] of row.entries()) if (dark) path += `M${x + 4} ${y + 4}h1v1h-1z`;
  }
  return html`<svg part=${part} role="img" aria-label=${label} viewBox="0 0 ${size + 8} ${size + 8}" shape-rendering="crispEdges">${svg`<rect width="100%" height="100%" fill="#fff"></rect><path d=${path} fill="#000"></path>`}</svg>`;
}

export { scanQr } from '../core/client/qr-camera.ts';
