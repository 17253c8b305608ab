// Sums vitest JSON reports (and the arm64 report, same shape) into the one line CI reads: "N passed, N failed".
// A report that is missing or unreadable counts as one failure, so a crashed run can never look green.
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
const files = process.argv.slice(2).filter((f) => !f.includes("*"));
if (files.length === 0) failed += 1;
for (const file of files) {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    passed += Number(report.numPassedTests ?? 0);
    failed += Number(report.numFailedTests ?? 0);
    if (report.success === false && Number(report.numFailedTests ?? 0) === 0) failed += 1;
    console.log(`${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests ?? 0} skipped`);
  } catch (error) {
    console.log(`${file}: unreadable (${error.message})`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
