{{ config(materialized='table') }}
-- R, F and M as quintiles (ntile(5)) within the tenant. Higher is better: R 5 = most recent.
-- Equal values are split by profile_id in byte order, so DuckDB and Postgres agree on every score.
select
    profile_id,
    ntile(5) over (order by recency_days desc, {{ binary_order('profile_id') }}) as r_score,
    ntile(5) over (order by frequency, {{ binary_order('profile_id') }}) as f_score,
    ntile(5) over (order by monetary, {{ binary_order('profile_id') }}) as m_score
from {{ ref('customer_order_features') }}
