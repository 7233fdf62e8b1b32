/**
 * The one-script-tag entry: registers every RoomKey element (once, even if the bundle is loaded
 * twice) and exports the classes, the default-client setter and the public types.
 * @example import { setDefaultClient } from './roomkey.js'; setDefaultClient(client);
 */
import './admin-define.ts';
import './devices-define.ts';
import './passkey-define.ts';
import { RoomKeyApp } from './app.ts';
import { RoomKeyNotifications } from './notifications.ts';
import { RoomKeyRoom } from './room.ts';
import { RoomKeyRooms } from './rooms.ts';
import { RoomKeySignIn } from './sign-in.ts';
import { RoomKeyVerifyContact } from './verify-contact-element.ts';

export { RoomKeyAdmin } from './admin.ts';
export { RoomKeyApp } from './app.ts';
export { ClientController } from './client/client-controller.ts';
export {
  defaultClientChanges,
  defaultClientFailure,
  getDefaultClient,
  reportDefaultClientFailure,
  setDefaultClient,
} from './client/default.ts';
export type * from './client/types.ts';
export { RoomKeyDevices } from './devices.ts';
export type * from './events.ts';
export { RoomKeyNotifications } from './notifications.ts';
export { RoomKeyPasskey } from './passkey.ts';
export { RoomKeyRoom } from './room.ts';
export { RoomKeyRooms } from './rooms.ts';
export { RoomKeySignIn } from './sign-in.ts';
export { RoomKeyVerifyContact } from './verify-contact-element.ts';

if (!customElements.get('roomkey-sign-in')) customElements.define('roomkey-sign-in', RoomKeySignIn);
if (!customElements.get('roomkey-rooms')) customElements.define('roomkey-rooms', RoomKeyRooms);
if (!customElements.get('roomkey-room')) customElements.define('roomkey-room', RoomKeyRoom);
if (!customElements.get('roomkey-notifications'))
  customElements.define('roomkey-notifications', RoomKeyNotifications);
if (!customElements.get('roomkey-verify-contact'))
  customElements.define('roomkey-verify-contact', RoomKeyVerifyContact);
if (!customElements.get('roomkey-app')) customElements.define('roomkey-app', RoomKeyApp);
