import { ZValueSettings, ZValueSettingsPatch } from "@clientele/domain";
import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import * as uc from "./value-settings.use-cases";

const tags = ["Customer value"];

export const valueSettingsRouter = router({
  get: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path: "/settings/value", tags, summary: "Base currency, LTV thresholds, exchange rates, loyalty tiers, inactivity thresholds (defaults from Appendix C)" } })
    .input(z.object({}))
    .output(ZValueSettings)
    .query(({ ctx }) => uc.getValueSettings(ctx.deps, ctx.actor)),
  put: withPrivilege("value-settings:manage")
    .meta({
      openapi: { method: "PUT", path: "/settings/value", tags, summary: "Change value settings (fields given are replaced, the whole is validated); Admins only" },
      errors: { 409: "The base currency cannot change once transactions are recorded (TXN-002)" },
    })
    .input(ZValueSettingsPatch)
    .output(ZValueSettings)
    .mutation(({ ctx, input }) => uc.putValueSettings(ctx.deps, ctx.actor, input, ctx.traceId)),
});
