-- riskcap schema v8 (sqlite): positions' two value checks as OR chains instead of IN lists.
-- SQLite evaluates a CHECK (col IN ('A','B',...)) by building a fresh ephemeral B-tree of the
-- list for every inserted row (EXPLAIN: OpenEphemeral without Once); a chain of comparisons
-- allows exactly the same values and costs nothing extra. Measured on 1M positions: 2.62 s to
-- insert with the IN lists, 1.59 s with the OR chains (5.8-6.8 s vs 2.8-3.0 s on a busy
-- machine). SQLite cannot alter a CHECK, so the table is rebuilt
-- (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"):
-- same columns, types, NOT NULLs, foreign keys, primary key and index as 0001 + 0006.
-- Nothing references positions (no foreign key, view or trigger), so dropping the old table
-- inside the migrator's transaction, with foreign_keys ON, neither fails nor cascades.
-- Keep in step with migrations/postgresql/0008_positions_checks.sql.

CREATE TABLE positions_new (
  version_id             BIGINT  NOT NULL REFERENCES snapshot_versions(id),
  row_no                 INTEGER NOT NULL,
  fund_id                BIGINT  NOT NULL REFERENCES funds(id),
  position_date          TEXT    NOT NULL,
  asset_nickname         TEXT    NOT NULL,
  isin                   TEXT    NOT NULL,
  asset_code             TEXT    NOT NULL,
  asset_type_code        TEXT    NOT NULL,
  classification         TEXT    NOT NULL CHECK (classification = 'OTC_OPTION'
                           OR classification = 'OTC_SWAP' OR classification = 'OFFSHORE_FUND'
                           OR classification = 'FOREIGN_INVESTMENT' OR classification = 'OTHER'),
  quantity_micros        BIGINT  NOT NULL,
  price_micros           BIGINT  NOT NULL,
  notional_micros        BIGINT  NOT NULL,
  market_value_micros    BIGINT  NOT NULL,
  asset_leg_micros       BIGINT,
  liability_leg_micros   BIGINT,
  asset_class            TEXT    CHECK (asset_class IS NULL OR asset_class = 'IR'
                           OR asset_class = 'FX' OR asset_class = 'CREDIT'
                           OR asset_class = 'EQUITY' OR asset_class = 'COMMODITY'),
  start_date             TEXT,
  end_date               TEXT,
  direction              TEXT    NOT NULL,
  option_type            TEXT    NOT NULL,
  strike                 DOUBLE PRECISION,
  underlying_price       DOUBLE PRECISION,
  currency               TEXT    NOT NULL,
  PRIMARY KEY (version_id, row_no)
);

INSERT INTO positions_new (version_id, row_no, fund_id, position_date, asset_nickname, isin,
    asset_code, asset_type_code, classification, quantity_micros, price_micros, notional_micros,
    market_value_micros, asset_leg_micros, liability_leg_micros, asset_class, start_date,
    end_date, direction, option_type, strike, underlying_price, currency)
  SELECT version_id, row_no, fund_id, position_date, asset_nickname, isin,
    asset_code, asset_type_code, classification, quantity_micros, price_micros, notional_micros,
    market_value_micros, asset_leg_micros, liability_leg_micros, asset_class, start_date,
    end_date, direction, option_type, strike, underlying_price, currency
  FROM positions ORDER BY version_id, row_no;

DROP TABLE positions;
ALTER TABLE positions_new RENAME TO positions;
CREATE INDEX positions_by_fund ON positions (fund_id, version_id, row_no);
