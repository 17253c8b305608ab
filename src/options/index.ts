/** The options pipeline (public surface, re-exported by src/index.ts); docs/options.md. */
export { curateOptions, type CurateOptionsOptions, type OptionsReport } from "./curate-options.ts";
export { fitSurfaces, qcRates, type SurfaceExpiry, type SurfaceQcRow, type SurfaceQuote, type SurfaceRow, type SurfaceStatus } from "./fit-surfaces.ts";
export { OPTIONS_TABLES, OPTIONS_BOOKMARK_KEY } from "./options-tables.ts";
export { readSurface, smileSpec, type SurfaceQuotePoint, type SurfaceReport, type SurfaceSlice } from "./surface-report.ts";
export {
  FORWARD_IV_STATUS_NAMES, forwardIvStatusName, impliedVolForward, type ForwardIvBatch, type ForwardIvResult, type ForwardIvStatusName,
} from "../kernels/implied-vol-forward.ts";
export {
  buildStrategies, remarkStrategy, strategyRow, STRATEGY_NAMES, type Strategy, type StrategyConfig, type StrategyKernels, type StrategyName,
  type StrategyPnlRow, type StrategyRow, type StrategySlice,
} from "./strategies.ts";
