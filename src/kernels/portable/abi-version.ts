/**
 * Kernel ABI version, one number for both builds and the host (src/kernels/abi/): bumped when an export's
 * signature or meaning changes. 2: sviFitBatch's scratch also holds the solver's fixed scratch.
 */
export const ABI_VERSION: i32 = 2;
