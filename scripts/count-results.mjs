// Sums vitest JSON reports (and the arm64 report, same shape) into the one line CI reads: "N passed, N failed".
// A report that is missing or unreadable counts as one failure, so a crashed run can never look green; so does a
// report that says it failed without a failed test (a collection or global-setup error). Above the final line it
// prints each report's counts and the names of failed tests, so the CI log says what failed without scrolling.
import { readFileSync } from "node:fs";

/** The line of an error message worth showing: the first that names an error, else the first non-empty one. */
function headline(message) {
  const lines = String(message ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "(no message)";
}

let passed = 0;
let failed = 0;
let skipped = 0;
// An unmatched shell glob arrives literally ("dir/*.json"); with no report at all, nothing ran.
const files = process.argv.slice(2).filter((f) => !f.includes("*"));
if (files.length === 0) {
  console.log("no test reports given");
  failed += 1;
}
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.log(`${file}: missing or unreadable (${error.message})`);
    failed += 1;
    continue;
  }
  const filePassed = Number(report.numPassedTests ?? 0);
  let fileFailed = Number(report.numFailedTests ?? 0);
  const fileSkipped = Number(report.numPendingTests ?? 0) + Number(report.numTodoTests ?? 0);
  const lines = [];
  for (const suite of Array.isArray(report.testResults) ? report.testResults : []) {
    for (const test of Array.isArray(suite.assertionResults) ? suite.assertionResults : []) {
      if (test.status === "failed") lines.push(`  FAILED ${suite.name ?? "?"} > ${test.fullName ?? test.title ?? "?"}`);
    }
    // A test file that failed to load has no assertion results, only a message; vitest counts no failed test
    // for it, so it is counted here as one failure (its tests never ran).
    if (suite.status === "failed" && (suite.assertionResults ?? []).length === 0) {
      lines.push(`  FAILED ${suite.name ?? "?"} (no test in it ran, counted as 1): ${headline(suite.message)}`);
      fileFailed += 1;
    }
  }
  if (report.success === false && fileFailed === 0) {
    lines.push("  the run reports failure without a failed test (a setup or teardown error): counted as 1");
    fileFailed += 1;
  }
  passed += filePassed;
  failed += fileFailed;
  skipped += fileSkipped;
  console.log(`${file}: ${filePassed} passed, ${fileFailed} failed, ${fileSkipped} skipped`);
  for (const line of lines) console.log(line);
}
console.log(`(${skipped} skipped)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
