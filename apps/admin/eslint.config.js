import base from "@clientele/eslint-config";
import reactHooks from "eslint-plugin-react-hooks";

export default [
  ...base,
  { ignores: ["e2e/screenshots/**"] },
  // Browser tests read CHROMIUM_PATH, as the API's tests read theirs.
  { files: ["e2e/**/*.ts"], rules: { "no-restricted-properties": "off" } },
  {
    // The shared rules, for the React components too.
    files: ["**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "The browser has no process.env." }],
    },
  },
];
