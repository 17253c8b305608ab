-- The vendors in merge order (variable source_priority, VARCHAR[]): the first wins when two deliver the same bar
-- or action. Output: source_priority(source, priority), priority 0 first.
CREATE OR REPLACE TEMP TABLE source_priority AS
SELECT source, (index - 1)::INTEGER AS priority
FROM (SELECT unnest(getvariable('source_priority')) AS source, generate_subscripts(getvariable('source_priority'), 1) AS index);
