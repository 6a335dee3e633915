// Writes build/app-router.d.ts: the API router's type as a client sees it (procedure kinds,
// inputs, outputs, error shape) spelled out structurally, so the published .d.ts names no server
// module (no Context, deps, express, Kysely or zod). The package build maps
// `@clientele/api/router` to this file (tsconfig.build.json).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const buildDir = join(root, "build");
mkdirSync(buildDir, { recursive: true });

const probePath = join(buildDir, "router-probe.ts");
writeFileSync(
  probePath,
  `import type { AppRouter } from "@clientele/api/router";
export type Root = AppRouter["_def"]["_config"]["$types"];
export type Procedures = AppRouter["_def"]["record"];
`,
);

const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d.messageText) });
const program = ts.createProgram([probePath], { ...config.options, noEmit: true });
const probe = program.getSourceFile(probePath);
// Only the probe is checked: the server's own type-check is its package's job, and checking just
// what the router's type needs is several times faster.
const diagnostics = [...program.getSyntacticDiagnostics(probe), ...program.getSemanticDiagnostics(probe)];
if (diagnostics.length) fail(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" }));

const checker = program.getTypeChecker();
const aliasType = (name) => {
  const decl = probe.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === name);
  return checker.getTypeAtLocation(decl.name);
};
const prop = (type, name) => {
  const symbol = checker.getPropertyOfType(type, name);
  return symbol && checker.getTypeOfSymbol(symbol);
};

// TypeScript's own printer names exported aliases by import("…/apps/api/…") paths, so types are
// written out here instead, structurally, down to primitives, literals and the standard library's
// classes (Date, Uint8Array). Anything else (functions, `any`) stops the build: it would not be a
// faithful, self-contained type.
const isLibClass = (type) =>
  (type.symbol?.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) !== 0 &&
  type.symbol.declarations.some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
/** `optional`: the type of an optional property, whose `| undefined` the `?` already says. */
function print(type, where, seen = new Set(), optional = false) {
  const F = ts.TypeFlags;
  if (type.flags & F.Any) fail(`${where} is \`any\``);
  if (type.flags & (F.String | F.Number | F.Boolean | F.BigInt | F.Null | F.Undefined | F.Void | F.Unknown | F.Never | F.BooleanLiteral))
    return checker.typeToString(type);
  if (type.flags & F.StringLiteral) return JSON.stringify(type.value);
  if (type.flags & F.NumberLiteral) return String(type.value);
  if (type.flags & F.Union) {
    const types = optional ? type.types.filter((t) => !(t.flags & F.Undefined)) : type.types;
    // TypeScript keeps `boolean` as `false | true`; say it the way it was written.
    const bothBooleans = types.filter((t) => t.flags & F.BooleanLiteral).length === 2;
    const members = bothBooleans ? types.filter((t) => !(t.flags & F.BooleanLiteral)) : types;
    return [...(bothBooleans ? ["boolean"] : []), ...members.map((t) => print(t, where, seen))].join(" | ");
  }
  if (type.flags & F.Intersection) return type.types.map((t) => `(${print(t, where, seen)})`).join(" & ");
  if (!(type.flags & F.Object)) fail(`${where}: cannot print ${checker.typeToString(type)}`);
  if (checker.isArrayType(type)) {
    const item = checker.getTypeArguments(type)[0];
    const text = print(item, `${where}[]`, seen);
    return item.flags & (F.Union | F.Intersection) ? `(${text})[]` : `${text}[]`;
  }
  if (checker.isTupleType(type)) return `[${checker.getTypeArguments(type).map((t) => print(t, where, seen)).join(", ")}]`;
  if (isLibClass(type)) {
    const args = type.target ? checker.getTypeArguments(type) : [];
    return args.length ? `${type.symbol.getName()}<${args.map((t) => print(t, where, seen)).join(", ")}>` : type.symbol.getName();
  }
  if (type.getCallSignatures().length || type.getConstructSignatures().length) fail(`${where} is a function`);
  if (seen.has(type)) fail(`${where} is recursive`);
  const inner = new Set(seen).add(type);
  const members = checker.getPropertiesOfType(type).map((symbol) => {
    const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
    const value = print(checker.getTypeOfSymbol(symbol), `${where}.${symbol.getName()}`, inner, optional);
    return `${key(symbol.getName())}${optional ? "?" : ""}: ${value};`;
  });
  for (const info of checker.getIndexInfosOfType(type)) {
    members.push(`[key: ${checker.typeToString(info.keyType)}]: ${print(info.type, `${where}[key]`, inner)};`);
  }
  return members.length ? `{ ${members.join(" ")} }` : "{}";
}

const KINDS = { query: "TRPCQueryProcedure", mutation: "TRPCMutationProcedure", subscription: "TRPCSubscriptionProcedure" };
const procedures = [];
function record(type, path, indent) {
  const lines = [];
  for (const symbol of checker.getPropertiesOfType(type)) {
    const name = symbol.getName();
    const value = checker.getTypeOfSymbol(symbol);
    const def = prop(value, "_def");
    const kind = def && prop(def, "type");
    const where = [...path, name].join(".");
    if (kind?.isStringLiteral()) {
      const types = prop(def, "$types");
      if (!KINDS[kind.value]) fail(`${where}: ${kind.value} procedures are not supported by the SDK`);
      const input = print(prop(types, "input"), `${where} input`);
      const output = print(prop(types, "output"), `${where} output`);
      lines.push(`${indent}${name}: ${KINDS[kind.value]}<{ meta: object; input: ${input}; output: ${output} }>;`);
      procedures.push([...path, name]);
    } else {
      lines.push(`${indent}${name}: {`, ...record(value, [...path, name], `${indent}  `), `${indent}};`);
    }
  }
  return lines;
}

const rootTypes = aliasType("Root");
const out = `// Generated by scripts/emit-router-types.mjs from apps/api's router; do not edit.
import type { TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from "@trpc/server";

export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: ${print(prop(rootTypes, "errorShape"), "errorShape")}; transformer: ${print(prop(rootTypes, "transformer"), "transformer")} },
  {
${record(aliasType("Procedures"), [], "    ").join("\n")}
  }
>;
`;
writeFileSync(join(buildDir, "app-router.d.ts"), out);

// The printed types must be the server's, procedure by procedure: a second program (reusing the
// first one's parsed files) checks that each input and output is assignable both ways.
const checkPath = join(buildDir, "router-check.ts");
const access = (path) => path.map((p) => `[${JSON.stringify(p)}]`).join("");
writeFileSync(
  checkPath,
  `import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter as Server } from "@clientele/api/router";
import type { AppRouter as Published } from "./app-router";
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type I = [inferRouterInputs<Server>, inferRouterInputs<Published>];
type O = [inferRouterOutputs<Server>, inferRouterOutputs<Published>];
${procedures.map((path) => `export const ${path.join("_")}: [Same<I[0]${access(path)}, I[1]${access(path)}>, Same<O[0]${access(path)}, O[1]${access(path)}>] = [true, true];`).join("\n")}
`,
);
const check = ts.createProgram([checkPath], { ...config.options, noEmit: true }, undefined, program);
const checkFile = check.getSourceFile(checkPath);
const mismatches = [...check.getSyntacticDiagnostics(checkFile), ...check.getSemanticDiagnostics(checkFile)];
if (mismatches.length) fail(`the printed types differ from the server's:\n${ts.formatDiagnostics(mismatches, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" })}`);

function fail(message) {
  process.stderr.write(`emit-router-types: ${typeof message === "string" ? message : JSON.stringify(message)}\n`);
  process.exit(1);
}
