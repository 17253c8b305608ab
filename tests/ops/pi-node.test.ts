// scripts/pi-node.sh, as far as a machine without systemd running can check it: every action of --dry-run, the
// machine → Node build choice, a real .env write that trademl then loads, a real Node install from a local mirror
// with its SHA-256 check (and a tampered one refused), and the systemd unit through `systemd-analyze verify`.
// The same install under arm64 (qemu-user) is tests/arm64/pi-node-arm64.sh.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runTrademl } from "../helpers/cli.ts";
import { runScript } from "./run-script.ts";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const script = join(repoRoot, "scripts/pi-node.sh");
const scratch = mkdtempSync(join(tmpdir(), "trademl-pi-node-"));
const NODE_VERSION = "v20.20.2";
const SECRET = "polygon-secret-7f3a9c";
const FRED_SECRET = "fred-secret-4be21d";

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function dir(name: string): string {
  const path = join(scratch, `${name}-${++counter}`);
  mkdirSync(path, { recursive: true });
  return path;
}

/** A folder with a `node` that reports Node 18, as Raspberry Pi OS and Debian bookworm ship. */
function oldNodeOnPath(): string {
  const bin = dir("old-node");
  writeFileSync(join(bin, "node"), "#!/bin/sh\necho v18.19.0\n");
  chmodSync(join(bin, "node"), 0o755);
  return `${bin}:${process.env["PATH"] ?? "/usr/bin:/bin"}`;
}

function piNode(args: readonly string[], env: Record<string, string | undefined> = {}) {
  return runScript("bash", [script, ...args], { TRADEML_UNIT_DIR: dir("units"), TRADEML_NODE_DIR: dir("node"), ...env });
}

describe("pi-node.sh --dry-run install", () => {
  it("prints every action for an arm64 Pi with Node 18, never a secret, and changes nothing", async () => {
    const units = dir("units");
    const nodeDir = dir("node");
    const run = await piNode(
      ["--dry-run", "--yes", "--user", "pi", "--lake-root", "/srv/lake", `--fred-key=${FRED_SECRET}`, "install"],
      { PATH: oldNodeOnPath(), PI_NODE_MACHINE: "aarch64", PI_NODE_LONG_BIT: "64", POLYGON_API_KEY: SECRET, TRADEML_UNIT_DIR: units, TRADEML_NODE_DIR: nodeDir },
    );
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    const nodeBin = `${nodeDir}/node-${NODE_VERSION}-linux-arm64/bin/node`;
    expect(out).toMatch(new RegExp(`^would download: https://nodejs\\.org/dist/${NODE_VERSION}/node-${NODE_VERSION}-linux-arm64\\.tar\\.(xz|gz)$`, "m"));
    expect(out).toContain(`would verify: its SHA-256 against https://nodejs.org/dist/${NODE_VERSION}/SHASUMS256.txt`);
    expect(out).toContain(`would run: ${nodeDir}/node-${NODE_VERSION}-linux-arm64/bin/npm ci --no-audit --no-fund`);
    expect(out).toContain(`would write: ${repoRoot}/.env (mode 600): LAKE_ROOT=/srv/lake `);
    expect(out).toContain("POLYGON_API_KEY=(set, hidden)");
    expect(out).toContain("FRED_API_KEY=(set, hidden)");
    expect(out).toContain("FINNHUB_API_KEY=(empty)");
    expect(out).toContain(`would run: ${nodeBin} bin/trademl.js doctor`);
    expect(out).toContain(`would write: ${units}/trademl-node.service:`);
    expect(out).toContain(`    ExecStart=${nodeBin} ${repoRoot}/bin/trademl.js node up`);
    expect(out).toContain("    User=pi");
    expect(out).toContain("would run: systemctl enable trademl-node.service");
    // One service, no timer: the node schedules the DAG itself.
    expect(out).not.toMatch(/\.timer|OnCalendar/);
    expect(`${out}${run.stderr}`).not.toContain(SECRET);
    expect(`${out}${run.stderr}`).not.toContain(FRED_SECRET);
    // The order a user would follow: Node, dependencies, .env, doctor, service.
    const order = ["would download:", "npm ci", "would write: " + repoRoot, "bin/trademl.js doctor", "trademl-node.service:", "systemctl enable"].map((s) => out.indexOf(s));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(readdirSync(units)).toEqual([]);
    expect(readdirSync(nodeDir)).toEqual([]);
  });

  it("uses a Node that is new enough instead of downloading one", async () => {
    const run = await piNode(["--dry-run", "--yes", "install"], { PI_NODE_MACHINE: "x86_64" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("would download");
    expect(run.stderr).toMatch(/Node v\d+\.\d+\.\d+ at .* is new enough/);
  });

  it("prints the systemd steps of up, status and uninstall", async () => {
    const up = await piNode(["--dry-run", "--yes", "up"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("would run: systemctl start trademl-node.service");
    const uninstall = await piNode(["--dry-run", "uninstall", "--purge-node"]);
    expect(uninstall.code, uninstall.stderr).toBe(0);
    expect(uninstall.stdout).toContain("would run: systemctl disable --now trademl-node.service");
    expect(uninstall.stdout).toMatch(/would run: rm -f .*trademl-node\.service/);
    expect(uninstall.stdout).toMatch(/would run: rm -rf .*node/);
    const status = await piNode(["--dry-run", "status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain("would run: systemctl --no-pager --lines=0 status trademl-node.service");
    expect(status.stdout).toMatch(/would run: .*node bin\/trademl\.js dag status/);
  });

  it("rejects an unknown option or a second command with exit 2", async () => {
    expect((await piNode(["--dry-run", "--lake-rot", "x", "install"])).code).toBe(2);
    expect((await piNode(["install", "up"])).code).toBe(2);
    expect((await piNode([])).code).toBe(2);
  });
});

describe("pi-node.sh chooses the Node build for the machine", () => {
  const cases: [machine: string, bits: string, arch: string][] = [
    ["aarch64", "64", "arm64"],
    ["aarch64", "32", "armv7l"], // Raspberry Pi OS 32-bit on a 64-bit kernel
    ["armv7l", "32", "armv7l"],
    ["x86_64", "64", "x64"],
  ];
  for (const [machine, bits, arch] of cases) {
    it(`${machine} with a ${bits}-bit userland → linux-${arch}`, async () => {
      const run = await piNode(["--dry-run", "ensure-node"], { PATH: oldNodeOnPath(), PI_NODE_MACHINE: machine, PI_NODE_LONG_BIT: bits });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`would download: \\S+/node-${NODE_VERSION}-linux-${arch}\\.tar\\.(xz|gz)\\n`));
    });
  }

  it("refuses armv6l and unknown machines with exit 3, saying why", async () => {
    const armv6 = await piNode(["--dry-run", "ensure-node"], { PATH: oldNodeOnPath(), PI_NODE_MACHINE: "armv6l" });
    expect(armv6.code).toBe(3);
    expect(armv6.stderr).toContain("no official build for armv6l");
    const mips = await piNode(["--dry-run", "ensure-node"], { PATH: oldNodeOnPath(), PI_NODE_MACHINE: "mips64" });
    expect(mips.code).toBe(3);
    expect(mips.stderr).toContain("no official Node 20 build for machine 'mips64'");
  });

  it("says exactly what to install with --no-node-download", async () => {
    const run = await piNode(["--no-node-download", "ensure-node"], { PATH: oldNodeOnPath(), PI_NODE_MACHINE: "aarch64", PI_NODE_LONG_BIT: "64" });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("found: Node v18.19.0 at");
    expect(run.stderr).toContain(`curl -fsSLO https://nodejs.org/dist/${NODE_VERSION}/node-${NODE_VERSION}-linux-arm64.tar.xz`);
    expect(run.stderr).toContain("| sha256sum -c -");
  });
});

/** A Node release mirror with one stub build (a script that prints its version) and SHASUMS256.txt. */
function mirrorWithStubNode(arch: string, tamper: boolean): string {
  const root = dir("mirror");
  const name = `node-${NODE_VERSION}-linux-${arch}`;
  const build = join(dir("build"), name);
  mkdirSync(join(build, "bin"), { recursive: true });
  writeFileSync(join(build, "bin/node"), `#!/bin/sh\necho ${NODE_VERSION}\n`);
  chmodSync(join(build, "bin/node"), 0o755);
  const release = join(root, NODE_VERSION);
  mkdirSync(release, { recursive: true });
  const sums: string[] = [];
  for (const [ext, flag] of [["tar.xz", "-cJf"], ["tar.gz", "-czf"]] as const) {
    execFileSync("tar", [flag, join(release, `${name}.${ext}`), "-C", join(build, ".."), name]);
    const digest = execFileSync("sha256sum", [join(release, `${name}.${ext}`)], { encoding: "utf8" }).slice(0, 64);
    sums.push(`${tamper ? digest.replace(/^./, (c) => (c === "0" ? "1" : "0")) : digest}  ${name}.${ext}`);
  }
  sums.push(`${"ab".repeat(32)}  node-${NODE_VERSION}-linux-ppc64le.tar.xz`);
  writeFileSync(join(release, "SHASUMS256.txt"), `${sums.join("\n")}\n`);
  return root;
}

describe("pi-node.sh installs Node from a release mirror", () => {
  it("downloads, verifies the SHA-256, unpacks, and reuses the install next time", async () => {
    const nodeDir = dir("node");
    const env = { PATH: oldNodeOnPath(), PI_NODE_MACHINE: "x86_64", TRADEML_NODE_MIRROR: `file://${mirrorWithStubNode("x64", false)}`, TRADEML_NODE_DIR: nodeDir };
    const first = await piNode(["ensure-node"], env);
    expect(first.code, first.stderr).toBe(0);
    const installed = join(nodeDir, `node-${NODE_VERSION}-linux-x64/bin/node`);
    expect(first.stdout.trim()).toBe(installed);
    expect(first.stderr).toContain("checksum verified");
    expect(execFileSync(installed, ["--version"], { encoding: "utf8" }).trim()).toBe(NODE_VERSION);
    const second = await piNode(["ensure-node"], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`Node ${NODE_VERSION} at ${installed} is new enough`);
    expect(second.stderr).not.toContain("installing");
  });

  it("refuses a tarball whose SHA-256 does not match, installing nothing", async () => {
    const nodeDir = dir("node");
    const run = await piNode(["ensure-node"], {
      PATH: oldNodeOnPath(),
      PI_NODE_MACHINE: "x86_64",
      TRADEML_NODE_MIRROR: `file://${mirrorWithStubNode("x64", true)}`,
      TRADEML_NODE_DIR: nodeDir,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("does not match");
    expect(existsSync(join(nodeDir, `node-${NODE_VERSION}-linux-x64`))).toBe(false);
  });
});

describe("pi-node.sh configure", () => {
  it("writes .env with mode 600 from flags, the environment and the old file, echoing no secret, and trademl loads it", async () => {
    // A copy of the script in a scratch "checkout": the script writes .env beside its own repository.
    const checkout = dir("checkout");
    mkdirSync(join(checkout, "scripts"));
    cpSync(script, join(checkout, "scripts/pi-node.sh"));
    writeFileSync(join(checkout, ".env"), "# mine\nNODE_WORKERS=2\nPOLYGON_API_KEY=old-polygon-key-000\nLAKE_ROOT=./old-lake\n");
    const run = await runScript("bash", [join(checkout, "scripts/pi-node.sh"), "--yes", `--fred-key=${FRED_SECRET}`, "--s3-bucket", "trademl-lake", "configure"], {
      POLYGON_API_KEY: SECRET,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
    expect(`${run.stdout}${run.stderr}`).not.toContain(FRED_SECRET);
    const file = join(checkout, ".env");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toContain("# mine");
    expect(lines).toContain("NODE_WORKERS=2");
    expect(lines).toContain(`POLYGON_API_KEY=${SECRET}`);
    expect(lines).toContain(`FRED_API_KEY=${FRED_SECRET}`);
    expect(lines).toContain("LAKE_ROOT=./old-lake");
    expect(lines).toContain("S3_BUCKET=trademl-lake");
    expect(lines.filter((line) => line.startsWith("POLYGON_API_KEY="))).toHaveLength(1);

    const check = await runTrademl(["--config-dir", join(repoRoot, "configs"), "--env-file", file, "config", "check", "--json"], {}, checkout);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).not.toContain(SECRET);
  });
});

const systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((path) => existsSync(path));

describe("the systemd unit", () => {
  if (systemdAnalyze === undefined) console.warn("[pi-node] skipping the unit checks: systemd-analyze is not installed here");

  it.skipIf(systemdAnalyze === undefined)("passes systemd-analyze verify, and a broken one does not", async () => {
    const printed = await piNode(["--user", "root", "print-unit"]);
    expect(printed.code, printed.stderr).toBe(0);
    const units = dir("verify");
    const good = join(units, "trademl-node.service");
    writeFileSync(good, printed.stdout);
    const verify = await runScript(systemdAnalyze ?? "systemd-analyze", ["verify", good]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).not.toContain("trademl-node.service:");

    const broken = join(units, "broken.service");
    writeFileSync(broken, printed.stdout.replace(/^ExecStart=\S+/m, "ExecStart=/no/such/node"));
    const refused = await runScript(systemdAnalyze ?? "systemd-analyze", ["verify", broken]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("/no/such/node");
  });
});
