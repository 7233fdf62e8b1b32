/**
 * Registers `<roomkey-devices>` once.
 * @example import './devices-define.ts';
 */
import { RoomKeyDevices } from './devices.ts';

if (!customElements.get('roomkey-devices')) customElements.define('roomkey-devices', RoomKeyDevices);
