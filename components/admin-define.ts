/**
 * Registers `<roomkey-admin>` once.
 * @example import './admin-define.ts';
 */
import { RoomKeyAdmin } from './admin.ts';

if (!customElements.get('roomkey-admin')) customElements.define('roomkey-admin', RoomKeyAdmin);
