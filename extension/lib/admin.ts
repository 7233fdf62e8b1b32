/**
 * The commands of the extension's own top-level pages (popup, approval window): account status,
 * approved sites and revocation, settings, answers to approval questions, devices.
 * @example await handleAdmin(context, checkAdmin('revokeSite', { origin }));
 */
import { NotFoundError } from '../../core/errors.ts';
import type { Account } from './account.ts';
import type { ApprovalPrompts } from './approval-prompts.ts';
import type { ApprovalStore } from './approvals.ts';
import type { AdminRequest } from './messages.ts';
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
  /** How this browser calls itself, for the device list. */
  deviceName: string;
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
    case 'devices':
      // Pairing (more devices of the same user) comes with the devices issue.
      return [{ name: ctx.deviceName, current: true }];
  }
}
