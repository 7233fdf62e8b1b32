/**
 * The commands of the extension's own top-level pages (popup, approval window): account status,
 * approved sites and revocation, settings, answers to approval questions, devices.
 * @example await handleAdmin(context, checkAdmin('revokeSite', { origin }));
 */
import { equalBytes, fromBase64Url, toBase64Url, toHex } from '../../core/bytes.ts';
import { type DeviceDetails, shownDeviceName } from '../../core/client/index.ts';
import { ConflictError, NotFoundError, UnsupportedError } from '../../core/errors.ts';
import type { Account } from './account.ts';
import type { ApprovalPrompts } from './approval-prompts.ts';
import type { ApprovalStore } from './approvals.ts';
import type { AdminRequest, DeviceView } from './messages.ts';
import { PairingAdmin } from './pairing-admin.ts';
import { NewDevicePairing } from './pairing-new.ts';
import type { Settings, SettingsStore } from './settings.ts';

export interface AdminContext {
  account: Account;
  approvals: ApprovalStore;
  prompts: ApprovalPrompts;
  settings: SettingsStore;
  sdkAvailable: boolean;
  /** A site or one of its rooms was revoked: frames must stop receiving what they no longer may. */
  revoked(origin: string, roomId: string | null): void;
  settingsChanged(settings: Settings): void;
}

/** The one device approval waiting for the user's answer (the popup may close meanwhile). */
const pairing = new PairingAdmin();
/** This device's own pairing as a new device, if one runs (lib/pairing-new.ts). */
const newDevice = new NewDevicePairing();

/** Refusing to revoke the device in use: signing out is what does that (and wipes its keys). */
export class CurrentDeviceError extends ConflictError {
  constructor() {
    super('This is the device you are using: to remove it, sign out instead.');
  }
}

/**
 * Runs one admin command.
 * @example const sites = await handleAdmin(ctx, { command: 'sites', args: {} });
 */
export async function handleAdmin(ctx: AdminContext, request: AdminRequest): Promise<unknown> {
  switch (request.command) {
    case 'status': {
      const { keys, connection, session, gateway } = ctx.account.state;
      return {
        keys,
        connection,
        session,
        gateway,
        sdk: ctx.sdkAvailable,
        pendingApprovals: ctx.prompts.size,
        pendingSites: ctx.prompts.origins(),
      };
    }
    case 'sites':
      return ctx.approvals.list();
    case 'revokeSite':
      await ctx.approvals.revokeSite(request.args.origin);
      ctx.revoked(request.args.origin, null);
      return null;
    case 'revokeRoom':
      await ctx.approvals.revokeRoom(request.args.origin, request.args.roomId);
      ctx.revoked(request.args.origin, request.args.roomId);
      return null;
    case 'settings':
      return ctx.settings.get();
    case 'setSettings': {
      const settings = await ctx.settings.set(request.args);
      ctx.settingsChanged(settings);
      return settings;
    }
    case 'approval':
      return ctx.prompts.view(request.args.id);
    case 'answerApproval':
      if (!ctx.prompts.answer(request.args.id, request.args.decision)) {
        throw new NotFoundError(
          'This question is no longer waiting (answered, timed out, or the extension restarted): reload the site to ask again.',
        );
      }
      return null;
    case 'focusApprovals':
      return ctx.prompts.focusAll();
    case 'devices': {
      // Signed out or locked: no user, so no devices to list (not an error for the popup).
      if (ctx.account.state.keys !== 'ready') return [];
      const session = ctx.account.session();
      const [devices, details] = await Promise.all([
        session.devices(),
        session.deviceDetails?.().catch(() => new Map<string, DeviceDetails>()) ??
          new Map<string, DeviceDetails>(),
      ]);
      return devices.map((d): DeviceView => {
        const seen = details.get(toHex(d.deviceKey));
        return {
          deviceKey: toBase64Url(d.deviceKey),
          // The sealed name, opened here; a certificate's own only for devices from before.
          name: shownDeviceName(seen?.name, d.name),
          issuedAtMs: d.issuedAtMs ?? null,
          revokedAtMs: d.revokedAtMs,
          current: d.current,
          // Only when the gateway said (the fields are new: older hosts never set them).
          ...(seen ? { lastSeenMs: seen.lastSeenMs, lastSeenDay: seen.lastSeenDay } : {}),
        };
      });
    }
    case 'pairApprove':
      return pairing.approve(ctx.account.session(), request.args.text);
    case 'pairWaiting':
      return pairing.view;
    case 'pairConfirm':
      return pairing.confirm();
    case 'pairCancel':
      return pairing.cancel();
    case 'pairNew':
      return newDevice.start(ctx.account, request.args);
    case 'pairNewStatus':
      return newDevice.view;
    case 'pairNewCancel':
      return newDevice.cancel();
    case 'passkeys':
      return (await ctx.account.passkeys()).map((c) => ({
        credentialId: toBase64Url(c.credentialId),
        prfSalt: toBase64Url(c.prfSalt),
      }));
    case 'passkeyUnlock':
      await ctx.account.unlockWithPasskey({
        credentialId: fromBase64Url(request.args.credentialId),
        secret: fromBase64Url(request.args.secret),
      });
      return null;
    case 'passkeyAdd':
      await ctx.account.addPasskey({
        credentialId: fromBase64Url(request.args.credentialId),
        prfSalt: fromBase64Url(request.args.prfSalt),
        secret: fromBase64Url(request.args.secret),
      });
      return null;
    case 'passkeyRemove':
      await ctx.account.removePasskeys();
      return null;
    case 'renameDevice': {
      const session = ctx.account.session();
      if (!session.renameDevice) throw new UnsupportedError('This session cannot rename devices.');
      await session.renameDevice(fromBase64Url(request.args.deviceKey), request.args.name);
      return null;
    }
    case 'revokeDevice': {
      const session = ctx.account.session();
      const deviceKey = fromBase64Url(request.args.deviceKey);
      const device = (await session.devices()).find((d) => equalBytes(d.deviceKey, deviceKey));
      if (!device) throw new NotFoundError('That device is not one of your devices (reload the list).');
      if (device.current) throw new CurrentDeviceError();
      if (device.revokedAtMs === 0) await session.revokeDevice(deviceKey);
      return null;
    }
  }
}
