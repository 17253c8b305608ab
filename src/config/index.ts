/** Public surface of the configuration layer (re-exported by src/index.ts). */
export { loadConfig, loadConfigFile, trainingSchemaFor, CONFIG_FILES, TRAINING_DIR, type TrademlConfig, type LoadConfigOptions, type ConfigFileInfo, type ConfigSection, type AnyTrainingConfig } from "./load.ts";
export { loadEnvironment, envSchema, SECRET_ENV_KEYS, type Environment, type LakeTarget, type LoadedEnvironment, type LoadEnvironmentOptions } from "./env.ts";
export { maxInflight, consumerBudget, hasVendorKeys, redactedConfig, REDACTED } from "./effective.ts";
export { renderJsonSchemas, writeJsonSchemas } from "./json-schema.ts";
export { parseYamlSource, type YamlSource, type SourcePosition } from "./yaml-source.ts";
export { packageConfigDir } from "./package-config-dir.ts";
export { VENDORS, vendorName, type Vendor } from "./schemas/common.ts";
export { edgeSchema, type EdgeConfig } from "./schemas/edge.ts";
export { backfillSchema, type BackfillConfig, type BackfillTable } from "./schemas/backfill.ts";
export { curatorSchema, type CuratorConfig } from "./schemas/curator.ts";
export { routerSchema, type RouterConfig } from "./schemas/router.ts";
export { trainingSchema, optionsVolTrainingSchema, type TrainingConfig, type OptionsVolTrainingConfig } from "./schemas/training.ts";
export { optionsBacktestSchema, type OptionsBacktestConfig, type OptionsBacktestConfigInput } from "./schemas/options-backtest.ts";
export { borrowSchema, BORROW_TIERS, type BorrowConfig, type BorrowTier } from "./schemas/borrow.ts";
export { nodeSchema, type NodeConfig, type VendorLimits, type TickSizeVersion } from "./schemas/node.ts";
export { ridgeParamsSchema, gbdtParamsSchema, type RidgeParams, type RidgeParamsInput, type GbdtParams, type GbdtParamsInput } from "./schemas/model.ts";
