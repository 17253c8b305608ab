import { KernelError } from "../../domain/errors.ts";

/**
 * The name of status `code` in `names` (an export's `statuses`). A code the list lacks means the kernel and the
 * host disagree about the ABI: that is an error, never a default name.
 */
export function statusName<N extends string>(names: readonly N[], code: number, exportName: string): N {
  const name = Number.isInteger(code) ? names[code] : undefined;
  if (name === undefined) {
    throw new KernelError("kernel_unknown_status", `${exportName} reported status ${code}, which the ABI does not define`, {
      details: { export: exportName, code },
    });
  }
  return name;
}
