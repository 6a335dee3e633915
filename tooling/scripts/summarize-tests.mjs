// Adds up the vitest JSON reports into one closing line CI can read: "N passed, N failed".
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numFailedTestSuites && !report.numFailedTests ? 1 : 0);
    skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    failed += 1;
    console.error(`missing or unreadable test report: ${file}`);
  }
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
