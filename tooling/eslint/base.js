import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Packages that do I/O; the domain package must stay free of them (DESIGN.md). */
export const ioLibraries = [
  "kysely",
  "mysql2",
  "mysql2/*",
  "ioredis",
  "bullmq",
  "express",
  "@trpc/*",
  "nodemailer",
  "twilio",
  "pino",
  "node:fs",
  "node:net",
  "node:http",
  "fs",
  "net",
  "http",
];

/** One config for every package; `process.env` is read only in each app's env.ts. */
export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/.turbo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration in the app's env.ts only." },
      ],
    },
  },
  {
    files: ["**/env.ts", "**/*.test.ts", "**/test/**/*.ts", "**/scripts/**/*.ts", "**/bench/**/*.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // Tests read untyped JSON responses; asserting on them is the point, typing them is not.
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);

/** Extra rule for packages/domain: no I/O imports, enforced by lint (and by a test). */
export const domainRules = {
  files: ["src/**/*.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      { patterns: [{ group: ioLibraries, message: "packages/domain imports no I/O library." }] },
    ],
  },
};
