import type { Redis } from 'ioredis';

/** What the queue module knows once the prefix is claimed (BullMQ is configured only then). */
export interface PrefixClaim {
  prefix: string;
  installationId: string;
}

/** The Redis key that names the installation a QUEUE_PREFIX belongs to. */
export function claimKey(prefix: string): string {
  return `${prefix}:installation`;
}

/** Another installation (another database) holds this QUEUE_PREFIX in this Redis. */
export class QueuePrefixClaimedError extends Error {
  override readonly name = 'QueuePrefixClaimedError';

  constructor(prefix: string, holder: string, installationId: string) {
    super(
      `QUEUE_PREFIX "${prefix}" belongs to another installation in this Redis ` +
        `(installation ${holder}; this one, as its database says, is ${installationId}). ` +
        'Two installations with different databases must not share a prefix on one Redis: each ' +
        "would take the other's jobs, which its own database does not know, and they would be lost. " +
        `Set another QUEUE_PREFIX for this installation; or, if installation ${holder} is gone for good, ` +
        `delete the Redis key "${claimKey(prefix)}".`,
    );
  }
}

/**
 * Claims `prefix` for `installationId` in Redis (SET NX, no expiry: the claim outlives restarts).
 * Resolves when the prefix is ours (newly or already); rejects with QueuePrefixClaimedError when
 * another installation holds it.
 */
export async function claimQueuePrefix(
  redis: Redis,
  prefix: string,
  installationId: string,
): Promise<PrefixClaim> {
  const key = claimKey(prefix);
  const claim = { prefix, installationId };
  // A holder that deletes its key between our SET and GET leaves it free: try again.
  for (let attempt = 1; ; attempt++) {
    if ((await redis.set(key, installationId, 'NX')) === 'OK') return claim;
    const holder = await redis.get(key);
    if (holder === installationId) return claim;
    if (holder !== null) throw new QueuePrefixClaimedError(prefix, holder, installationId);
    if (attempt === 3) throw new Error(`could not claim QUEUE_PREFIX "${prefix}" in Redis`);
  }
}
