/**
 * The release WebAssembly build loads, its ABI matches the host's, and its arena hands out aligned memory
 * and resets. A failure here usually means `npm run build` was not run or is stale.
 */
import { Arena } from "../kernels/arena.ts";
import { buildUrl, EXPECTED_ABI_VERSION, loadKernelModule } from "../kernels/load.ts";
import type { DoctorCheck } from "./types.ts";

export const kernelsCheck: DoctorCheck = {
  name: "kernels",
  kind: "kernel",
  description: "build/release.wasm loads and its ABI matches",
  async run() {
    const module = await loadKernelModule({ build: "release" });
    const abi = module.exports.abiVersion();
    const arena = new Arena(module).reset();
    const first = arena.alloc(3, 8);
    const second = arena.alloc(1, 8);
    arena.reset();
    const again = arena.alloc(3, 8);
    if (first % 16 !== 0 || second <= first || again !== first) {
      return { status: "fail", detail: `arena misbehaves (pointers ${first}, ${second}, after reset ${again}); rebuild with \`npm run build\`` };
    }
    const exportCount = Object.keys(module.raw).length;
    const file = buildUrl("release").pathname.split("/").slice(-2).join("/");
    return { status: "ok", detail: `${file}: ABI ${abi} (host expects ${EXPECTED_ABI_VERSION}), ${exportCount} exports` };
  },
};
