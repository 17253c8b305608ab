import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import { storeSuite } from "./manifest-suite.ts";

describeWithMinio("manifests on S3Store (real MinIO)", () => {
  storeSuite(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    const store = new S3Store({ bucket: uniqueBucketName("manifests"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await store.ensureBucket();
    return store;
  });
});

