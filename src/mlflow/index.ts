/**
 * trademl's MLflow component: a typed REST client for a tracking server (experiments, runs, batched params and
 * metrics, proxied artifacts, the model registry and its aliases) and the champion/challenger promotion model
 * built on it. Imports only domain/ and config/.
 */
export {
  mlflowConnectionFromEnv, requireMlflowConnection, authorizationHeader, START_MLFLOW_HINT,
  type MlflowConnection, type MlflowAuth, type MlflowEnvironment,
} from "./connection.ts";
export {
  createMlflowClient, type MlflowClient, type MlflowClientOptions, type CallOptions, type MlflowRequest,
} from "./client.ts";
export {
  MlflowRequestError, MlflowAuthError, MlflowUnavailableError, MlflowResponseError, hasMlflowErrorCode,
  type MlflowError, type MlflowErrorFacts,
} from "./errors.ts";
export {
  RUN_STATUSES, type Experiment, type Run, type RunInfo, type RunStatus, type Metric, type ModelVersion,
  type RegisteredModel, type ArtifactFile,
} from "./schemas.ts";
export { findExperimentByName, getExperiment, createExperiment, ensureExperiment, type CreateExperimentInput } from "./experiments.ts";
export {
  createRun, getRun, updateRun, terminateRun, setRunTag, getMetricHistory, searchRuns, searchAllRuns,
  type CreateRunInput, type UpdateRunInput, type TerminalRunStatus, type SearchRunsInput, type RunPage,
} from "./runs.ts";
export {
  logBatch, planLogBatches, LOG_BATCH_LIMITS, MAX_KEY_LENGTH, MAX_PARAM_VALUE_LENGTH, MAX_TAG_VALUE_LENGTH,
  type LogBatchInput, type LogBatch, type MetricPoint,
} from "./log-batch.ts";
export { uploadArtifact, downloadArtifact, listArtifacts, artifactProxyRoot } from "./artifacts.ts";
export {
  createRegisteredModel, getRegisteredModel, findRegisteredModel, ensureRegisteredModel, type CreateRegisteredModelInput,
} from "./registered-models.ts";
export {
  createModelVersion, getModelVersion, searchModelVersions, setModelVersionTag, setModelVersionTags,
  type CreateModelVersionInput, type SearchModelVersionsInput, type ModelVersionPage,
} from "./model-versions.ts";
export { setAlias, getVersionByAlias, deleteAlias } from "./aliases.ts";
export { searchLiteral } from "./search-literal.ts";

// Promotion: champion/challenger by registry alias, with a shadow period of live predictions.
export {
  registryNames, CHAMPION, CHALLENGER, TAG as PROMOTION_TAGS, SESSION_TAG_PREFIX, type RegistryNames, type PromotionAlias,
} from "./promotion/registry-names.ts";
export { gateCheckSchema, gateReport, failedChecks, type GateCheck, type GateReport } from "./promotion/gates.ts";
export { shadowVerdict, type ShadowDay, type ShadowVerdict, type ShadowStatus } from "./promotion/shadow-verdict.ts";
export {
  promotionStep, shadowSessionIndex, checkShadowSession, type ShadowDayCheck, type PromotionState, type PromotionEvent, type PromotionAction, type PromotionOutcome,
  type PromotionStep, type PromotionPolicy, type ChallengerState, type ShadowRecord, type ShadowOutcome,
} from "./promotion/state-machine.ts";
export {
  loadPromotionState, shadowDaysOf, gatesOf, previousShadowOf, type LoadedPromotion,
} from "./promotion/registry-state.ts";
export { applyPromotionActions } from "./promotion/apply-actions.ts";
export {
  registerVersion, setChallenger, recordShadowDay, shadowScoreDay, promoteIfDue, todayInNewYork,
  type PromotionContext, type RegisterVersionInput, type RegisteredVersion, type ShadowTarget, type ShadowScores,
} from "./promotion/operations.ts";
export { modelStatus, summarizeVersion, type ModelStatus, type VersionSummary, type ShadowProgress } from "./promotion/model-status.ts";
