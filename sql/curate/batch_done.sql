-- A batch's tables are no longer needed: dropping them returns their memory before the next batch.
DROP VIEW IF EXISTS adj_rows;
DROP TABLE IF EXISTS merged_bars;
DROP TABLE IF EXISTS history_bars;
