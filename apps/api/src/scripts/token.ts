import { parseArgs } from "node:util";
import { ROLES, type Role } from "@clientele/domain";
import { signDevToken } from "../auth/dev-token";
import { loadEnv } from "../env";

const USAGE = `Usage: pnpm token [options]

Prints a development JWT (HS256, signed with JWT_SECRET) for calling the API.

Options:
  --tenant <id>     tenant id, [A-Za-z0-9_-]{1,64} (default: demo)
  --role <role>     a role, repeatable or comma-separated (default: Admin)
                    roles: ${ROLES.join(", ")}
  --user <id>       user id, the token's sub (default: dev-user)
  --name <name>     display name claim
  --email <email>   email claim (where staff notices for this user are sent)
  --expires <span>  lifetime, e.g. 60m, 8h, 7d (default: 60m)
  -h, --help        show this help

Example:
  TOKEN=$(npm run --silent token -- --tenant demo --role Admin)`;

/** A mistyped flag is a usage error (exit 2, like other CLIs), never a stack trace. */
function usageError(message: string): never {
  console.error(`pnpm token: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      tenant: { type: "string", default: "demo" },
      role: { type: "string", multiple: true, default: ["Admin"] },
      user: { type: "string", default: "dev-user" },
      name: { type: "string" },
      email: { type: "string" },
      expires: { type: "string", default: "60m" },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const roles = values.role.flatMap((r) => r.split(","));
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (unknown.length) usageError(`unknown role(s): ${unknown.join(", ")}`);

let env;
try {
  env = loadEnv();
} catch (error) {
  console.error(`pnpm token: ${(error as Error).message}`);
  process.exit(1);
}
if (!env.JWT_SECRET) {
  console.error("pnpm token: JWT_SECRET is not set (production uses your identity provider)");
  process.exit(1);
}
try {
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
} catch (error) {
  // jose rejects a malformed --expires with a TypeError; that is the user's flag, not a crash.
  usageError(`--expires: ${(error as Error).message}`);
}
