/**
 * The `dataset` block of configs/training/<model>.yml: how the trainer builds a model's point-in-time
 * feature/label panel from the curated lake (src/train/, docs/training.md "Datasets"). Feature windows are fixed
 * by the model's SQL (sql/features/<model>.sql); `features` picks among them.
 */
import { z } from "zod";
import { positiveInt, snakeName } from "./common.ts";

const features = z
  .array(snakeName)
  .min(1)
  .optional()
  .describe("features to build, by name (default: every feature of the model; an unknown name is an error when the dataset is built)");

/** equities_xs and intraday_xs (and any other model on the common training schema). */
export const crossSectionDatasetSchema = z
  .strictObject({
    universe: z
      .array(snakeName)
      .min(1)
      .default(() => ["large_cap_proxy"])
      .describe("reference index_membership indexes whose members on a date form that date's cross-section (an official list imported to replace one counts as it)"),
    horizon_days: positiveInt.max(63).default(1).describe("equities_xs: sessions ahead the label's forward total return runs"),
    morning_minutes: positiveInt
      .max(360)
      .default(120)
      .describe("intraday_xs: minutes after the open that feed the features; the label is the return from there to the close"),
    min_names: positiveInt.min(2).default(5).describe("dates whose cross-section has fewer names (with a label) are left out"),
    features,
  })
  .prefault({});

/** options_vol. */
export const optionsVolDatasetSchema = z
  .strictObject({
    atm_tenor_days: positiveInt.max(365).default(30).describe("calendar days of the constant-maturity ATM implied vol the features and the label use"),
    features,
  })
  .prefault({});

export type CrossSectionDatasetConfig = z.infer<typeof crossSectionDatasetSchema>;
export type OptionsVolDatasetConfig = z.infer<typeof optionsVolDatasetSchema>;
