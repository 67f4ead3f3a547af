import type { IdpContext } from './internal/context.js'
import { normalizeUserCode } from './internal/random.js'
import type { ResolvedUser } from './internal/resolve-config.js'
import type { DeviceRecord } from './store.js'

/** The pending device authorization behind a user code as typed (any case, dashes ignored). */
export function findPendingDevice(ctx: IdpContext, userCode: string): DeviceRecord | undefined {
  const deviceCode = ctx.store.userCodes.get(normalizeUserCode(userCode))
  const record = deviceCode === undefined ? undefined : ctx.store.devices.get(deviceCode)
  if (!record || record.status !== 'pending' || record.expiresAt <= ctx.clock.now())
    return undefined
  return record
}

/** Approves a pending device authorization for `user`; false when the code is unknown or spent. */
export function approveDevice(
  ctx: IdpContext,
  userCode: string,
  user: ResolvedUser,
  authTime?: number,
): boolean {
  const record = findPendingDevice(ctx, userCode)
  if (!record) return false
  record.status = 'approved'
  record.sub = user.sub
  record.authTime = authTime ?? ctx.clock.now()
  return true
}

/** Denies a pending device authorization; the next poll answers `access_denied`. */
export function denyDevice(ctx: IdpContext, userCode: string): boolean {
  const record = findPendingDevice(ctx, userCode)
  if (!record) return false
  record.status = 'denied'
  return true
}
