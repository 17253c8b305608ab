-- Merges bars from several vendors into one row per (symbol, bar_time) by the configured source priority.
-- Candidates: this run's valid raw bars of the current batch of symbols plus, for symbols being rebuilt, their
-- already-curated history (history rows keep the source that won before, so a better source arriving later
-- still wins).
-- Inputs: batch_bars (valid rows of bars_checked for the batch), history_bars (same columns),
--         source_priority(source, priority) — lower priority wins; unknown sources rank last.
-- Outputs: merged_bars (the winners, with n_sources) and bar_disagreements (every other source whose value
--          differs from the winner's by more than the QC tolerance; recorded, not hidden).
-- A view, not a table: it is read twice (merge, disagreements) and never held in memory as a whole.
CREATE OR REPLACE TEMP VIEW bar_candidates AS
SELECT
  c.*,
  coalesce(p.priority, 2147483647) AS priority
FROM (
  SELECT symbol, date, bar_time, open, high, low, close, volume, source, ingested_at, raw_file, false AS is_history
  FROM batch_bars
  UNION ALL
  SELECT symbol, date, bar_time, open, high, low, close, volume, source, ingested_at, raw_file, true AS is_history
  FROM history_bars
) c
LEFT JOIN source_priority p USING (source);

-- Ties inside one source (a vendor re-delivering a bar) go to the newest delivery: new rows before history,
-- then the latest ingestion time, then the file name so the choice is deterministic.
CREATE OR REPLACE TEMP TABLE merged_bars AS
SELECT * EXCLUDE (pick)
FROM (
  SELECT
    symbol, date, bar_time, open, high, low, close, volume, source, ingested_at, raw_file, is_history,
    count(DISTINCT source) OVER (PARTITION BY symbol, bar_time) AS n_sources,
    row_number() OVER (
      PARTITION BY symbol, bar_time
      ORDER BY priority, source, is_history, ingested_at DESC NULLS LAST, raw_file DESC
    ) AS pick
  FROM bar_candidates
)
WHERE pick = 1;

CREATE OR REPLACE TEMP TABLE bar_disagreements AS
WITH pairs AS (
  SELECT
    m.symbol, m.date, m.bar_time, m.source AS chosen_source, o.source AS other_source,
    m.open AS m_open, o.open AS o_open, m.high AS m_high, o.high AS o_high, m.low AS m_low, o.low AS o_low,
    m.close AS m_close, o.close AS o_close, m.volume AS m_volume, o.volume AS o_volume
  FROM merged_bars m
  JOIN bar_candidates o ON o.symbol = m.symbol AND o.bar_time = m.bar_time AND o.source <> m.source
  WHERE m.n_sources > 1
),
fields AS (
  SELECT symbol, date, bar_time, chosen_source, other_source, 'open' AS field, m_open AS chosen, o_open AS other FROM pairs
  UNION ALL SELECT symbol, date, bar_time, chosen_source, other_source, 'high', m_high, o_high FROM pairs
  UNION ALL SELECT symbol, date, bar_time, chosen_source, other_source, 'low', m_low, o_low FROM pairs
  UNION ALL SELECT symbol, date, bar_time, chosen_source, other_source, 'close', m_close, o_close FROM pairs
  UNION ALL SELECT symbol, date, bar_time, chosen_source, other_source, 'volume', m_volume, o_volume FROM pairs
)
SELECT
  *,
  abs(other - chosen) / nullif(abs(chosen), 0) AS rel_diff,
  CASE WHEN field = 'volume' THEN getvariable('volume_tolerance') ELSE getvariable('price_tolerance') END AS tolerance
FROM fields
WHERE abs(other - chosen) / nullif(abs(chosen), 0)
      > CASE WHEN field = 'volume' THEN getvariable('volume_tolerance') ELSE getvariable('price_tolerance') END;
