/** Every command group, in the order `trademl --help` lists them. */
import type { GroupSpec } from "../group.ts";
import { auditCommand } from "./audit.ts";
import { backfillCommand } from "./backfill.ts";
import { backtestCommand } from "./backtest.ts";
import { benchCommand } from "./bench.ts";
import { calcCommand } from "./calc.ts";
import { calendarCommand } from "./calendar.ts";
import { catalogCommand } from "./catalog.ts";
import { configCommand } from "./config.ts";
import { curateCommand } from "./curate.ts";
import { dagCommand } from "./dag.ts";
import { demoCommand } from "./demo.ts";
import { doctorCommand } from "./doctor.ts";
import { lakeCommand } from "./lake.ts";
import { modelsCommand } from "./models.ts";
import { borrowCommand } from "./borrow.ts";
import { nodeCommand } from "./node.ts";
import { optionsCommand } from "./options.ts";
import { referenceCommand } from "./reference.ts";
import { reportCommand } from "./report.ts";
import { sqlCommand } from "./sql.ts";
import { trainerCommand } from "./trainer.ts";
import { validateCommand } from "./validate.ts";

export const commandGroups: readonly GroupSpec[] = [
  nodeCommand,
  dagCommand,
  trainerCommand,
  modelsCommand,
  demoCommand,
  doctorCommand,
  configCommand,
  lakeCommand,
  auditCommand,
  backfillCommand,
  curateCommand,
  referenceCommand,
  optionsCommand,
  backtestCommand,
  reportCommand,
  borrowCommand,
  calendarCommand,
  sqlCommand,
  catalogCommand,
  calcCommand,
  validateCommand,
  benchCommand,
];
