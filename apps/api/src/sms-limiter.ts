import { DomainError } from "@clientele/domain";
import type { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import { budget } from "./rate-limiter";

export type SmsLimiter = { consume: (tenantId: string, phone: string) => Promise<void> };

/**
 * SMS pumping guard: a budget per tenant per minute and per recipient number per hour, kept in
 * Redis (shared by every API instance) with an in-memory stand-in while Redis is away.
 */
export function createSmsLimiter(redis: Redis | null, o: { perTenantPerMinute: number; perNumberPerHour: number }): SmsLimiter {
  const tenant = budget(redis, o.perTenantPerMinute, 60, "rl:sms:tenant");
  const number = budget(redis, o.perNumberPerHour, 3600, "rl:sms:number");
  return {
    async consume(tenantId, phone) {
      try {
        await tenant.consume(tenantId);
        await number.consume(`${tenantId}:${phone}`);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const seconds = Math.ceil(rejection.msBeforeNext / 1000);
        throw new DomainError("RATE-001", "rate_limited", `Too many text messages; try again in ${seconds} s.`, { recipientPhone: [`send limit reached; retry after ${seconds} s`] });
      }
    },
  };
}
