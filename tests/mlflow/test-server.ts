/** A client for the MLflow server the test services started (a separate file: importing it marks a test file as needing MLflow). */
import { createMlflowClient, type MlflowClient } from "../../src/mlflow/index.ts";
import { mlflowService } from "../helpers/services.ts";

/** Call in beforeAll inside describeWithMlflow; close the client in afterAll. */
export function testServerClient(): MlflowClient {
  const service = mlflowService();
  if (service === undefined) throw new Error("describeWithMlflow ran without an MLflow service");
  return createMlflowClient({ trackingUri: service.trackingUri, auth: { kind: "none" } });
}
