-- The symbols the node collects on one date: members of the configured indexes whose membership interval covers
-- the date (the month's ranking, point in time), an official list that replaces a proxy index counting as that
-- index (as in sql/features/equities_xs.sql). A member delisted on or before the date has nothing left to collect.
-- Inputs: cu_members(index_name, replaces, symbol, effective_from, effective_to, delist_date);
--         variables as_of (DATE) and indexes (VARCHAR[]).
-- Output: one row per symbol, in symbol order.
SELECT DISTINCT symbol
FROM cu_members
WHERE (list_contains(getvariable('indexes'), index_name) OR list_contains(getvariable('indexes'), replaces))
  AND effective_from <= getvariable('as_of')
  AND coalesce(effective_to, DATE '9999-12-31') >= getvariable('as_of')
  AND (delist_date IS NULL OR delist_date > getvariable('as_of'))
ORDER BY symbol;
