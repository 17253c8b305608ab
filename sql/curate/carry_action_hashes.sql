-- Nothing can have changed any symbol's effective corporate actions (no new action parts, no new symbol, no
-- pending action reached): the hashes kept in the bookmark stand.
-- Input: prior_symbols. Output: action_hashes(symbol, ca_hash), the shape action_hashes.sql gives.
CREATE OR REPLACE TEMP TABLE action_hashes AS
SELECT symbol, ca_hash FROM prior_symbols WHERE ca_hash IS NOT NULL;
