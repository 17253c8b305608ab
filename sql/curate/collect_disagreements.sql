-- A batch's vendor disagreements (merge_bars.sql) join the pass's. Output: all_disagreements (appended to).
INSERT INTO all_disagreements SELECT * FROM bar_disagreements;
