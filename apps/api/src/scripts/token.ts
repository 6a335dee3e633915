import { parseArgs } from "node:util";
import { ROLES, type Role } from "@clientele/domain";
import { signDevToken } from "../auth/dev-token";
import { loadEnv } from "../env";

const { values } = parseArgs({
  options: {
    tenant: { type: "string", default: "demo" },
    role: { type: "string", multiple: true, default: ["Admin"] },
    user: { type: "string", default: "dev-user" },
    name: { type: "string" },
    email: { type: "string" },
    expires: { type: "string", default: "60m" },
  },
});

const env = loadEnv();
const roles = values.role.flatMap((r) => r.split(","));
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (unknown.length || !env.JWT_SECRET) {
  console.error(
    unknown.length ? `unknown role(s): ${unknown.join(", ")}; roles are ${ROLES.join(", ")}` : "JWT_SECRET is not set (production uses your identity provider)",
  );
  process.exit(1);
}
console.log(
  await signDevToken({
    secret: env.JWT_SECRET,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    tenantId: values.tenant,
    userId: values.user,
    roles: roles as Role[],
    expiresIn: values.expires,
    ...(values.name ? { name: values.name } : {}),
    ...(values.email ? { email: values.email } : {}),
  }),
);
