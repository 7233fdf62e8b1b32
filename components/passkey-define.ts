/**
 * Registers `<roomkey-passkey>` once (sign-in places it in its unlock and signed-in views).
 * @example import './passkey-define.ts';
 */
import { RoomKeyPasskey } from './passkey.ts';

if (!customElements.get('roomkey-passkey')) customElements.define('roomkey-passkey', RoomKeyPasskey);
