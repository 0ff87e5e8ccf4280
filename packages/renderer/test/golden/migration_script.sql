-- Expand step: add new_col; old code keeps working.
-- [KBTRACE: KB_08#Expand_Contract]

ALTER TABLE users ADD COLUMN new_col VARCHAR(255);

CREATE INDEX CONCURRENTLY IF NOT EXISTS users_new_col_idx ON users (new_col);
