/** Public surface of `trademl doctor` (re-exported by src/index.ts). */
export { doctorChecks } from "./checks.ts";
export { runDoctor, createDoctorContext, doctorExitCode, formatDoctorTable, doctorReportJson, type DoctorOptions, type DoctorReport, type CheckOutcome } from "./run.ts";
export type { DoctorCheck, DoctorContext, CheckResult, CheckStatus, CheckKind } from "./types.ts";
