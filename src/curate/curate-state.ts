/**
 * Curation's bookmark (`state/bookmarks/curate/*.json`): which raw parts each pass has consumed, each symbol's
 * last curated date and corporate-action hash, and the fingerprints of the tables it rebuilt. Read back through
 * this schema, so a damaged or foreign object stops the pass instead of steering it.
 */
import { z } from "zod";

export const curateStateSchema = z.strictObject({
  format: z.literal(1),
  consumed: z.strictObject({ bars: z.array(z.string()), actions: z.array(z.string()), delistings: z.array(z.string()) }),
  symbols: z.record(z.string(), z.strictObject({ last_date: z.string(), ca_hash: z.string().nullable() })),
  fingerprints: z.record(z.string(), z.string()),
});
export type CurateState = z.infer<typeof curateStateSchema>;
