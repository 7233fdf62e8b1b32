/**
 * Idle sign-out: for each org whose policy sets `device_idle_days` (core/policy), the devices of the
 * org's users that were not seen (log-in or JWT refresh, device-last-seen.ts) for more than that many
 * days are revoked through the same path as a user's own revoke (device-revocation.ts), so the
 * revocation list and removal cut-offs apply. An org's users: those granted a role in the org or in
 * one of its projects; a grant to everyone ("*") there means every user. A user in several orgs gets
 * the shortest rule. Runs on start and then on a timer; bounded per run (the rest waits for the next
 * run); idempotent, so several gateways may sweep at once (compare-and-set, already revoked = done).
 * @example const sweep = startIdleSweep(ctx); … sweep.stop();
 */
import { toHex } from '../core/bytes.ts';
import { EVERYONE, orgDeviceIdleDays } from '../core/policy/index.ts';
import { listKeys } from './account-publisher.ts';
import type { GatewayContext } from './context.ts';
import { dayOf, lastSeenDayOf } from './device-last-seen.ts';
import { revokeDevices } from './device-revocation.ts';

export const IDLE_SWEEP_INTERVAL_MS = 3600_000;
/** Users looked at per run, and devices revoked per run: a run stays short whatever the size. */
export const MAX_SWEEP_USERS = 5000;
export const MAX_SWEEP_REVOCATIONS = 500;

export interface SweepResult {
  users: number;
  revoked: number;
}

/** The shortest idle rule per user id; `everyone`: the shortest rule that covers every user. */
async function idleRules(ctx: GatewayContext): Promise<{ byUser: Map<string, number>; everyone: number }> {
  const byUser = new Map<string, number>();
  let everyone = 0;
  const shortest = (a: number, b: number) => (a === 0 ? b : Math.min(a, b));
  for (const key of await listKeys(ctx.buckets.orgPolicies.kv, 'org.*')) {
    const org = await ctx.buckets.orgPolicies.get(key).catch(() => undefined);
    const days = orgDeviceIdleDays(org?.value.rules);
    if (!org || days === 0) continue;
    const grants = [...(org.value.grants ?? [])];
    for (const projectKey of await listKeys(ctx.buckets.projectPolicies.kv, `project.${org.value.orgId}.*`)) {
      const project = await ctx.buckets.projectPolicies.get(projectKey).catch(() => undefined);
      grants.push(...(project?.value.grants ?? []));
    }
    for (const grant of grants) {
      if (grant.userId === EVERYONE) everyone = shortest(everyone, days);
      else if (grant.userId) byUser.set(grant.userId, shortest(byUser.get(grant.userId) ?? 0, days));
    }
  }
  return { byUser, everyone };
}

/**
 * One sweep: revokes the idle devices of users under an idle rule, judged by this gateway's clock.
 * @example const { revoked } = await sweepIdleDevices(ctx);
 */
export async function sweepIdleDevices(ctx: GatewayContext): Promise<SweepResult> {
  const { byUser, everyone } = await idleRules(ctx);
  if (byUser.size === 0 && everyone === 0) return { users: 0, revoked: 0 };
  const userIds = everyone ? await listKeys(ctx.buckets.users.kv) : [...byUser.keys()];
  const today = dayOf(ctx.now());
  let users = 0;
  let revoked = 0;
  for (const userId of userIds) {
    if (users >= MAX_SWEEP_USERS || revoked >= MAX_SWEEP_REVOCATIONS) break;
    const rules = [byUser.get(userId) ?? 0, everyone].filter((d) => d > 0);
    if (rules.length === 0) continue;
    const days = Math.min(...rules);
    users++;
    const user = await ctx.buckets.users.get(userId);
    const idle: Uint8Array[] = [];
    for (const deviceKey of user?.value.deviceKeys ?? []) {
      const record = await ctx.buckets.devices.get(toHex(deviceKey));
      if (!record || record.value.userId !== userId || Number(record.value.revokedAtMs) > 0) continue;
      if (today - lastSeenDayOf(record.value) > days) idle.push(deviceKey);
    }
    const take = idle.slice(0, MAX_SWEEP_REVOCATIONS - revoked);
    if (take.length === 0) continue;
    await revokeDevices(ctx, userId, take);
    revoked += take.length;
  }
  // Counts only: logs carry no user ids, names or room ids.
  if (revoked > 0) ctx.log(`idle sign-out: revoked ${revoked} device(s) of ${users} user(s) checked`);
  return { users, revoked };
}

/**
 * Sweeps once now and then every `intervalMs`; a failed run is logged and the next one tries again.
 * @example const sweep = startIdleSweep(ctx); await sweep.stop();
 */
export function startIdleSweep(
  ctx: GatewayContext,
  intervalMs = IDLE_SWEEP_INTERVAL_MS,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = () => {
    if (stopped) return;
    running = running
      .then(() => sweepIdleDevices(ctx))
      .catch((error: Error) => ctx.log(`idle sign-out failed: ${error.message}`));
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref?.();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
