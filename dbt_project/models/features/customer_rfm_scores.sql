{{ config(materialized='table') }}
-- R, F and M as quintiles (ntile(5)) within the tenant at each cutoff: profiles are ranked only
-- against the profiles that had ordered by the same cutoff. Higher is better: R 5 = most recent.
-- Equal values are split by profile_id in byte order, so DuckDB and Postgres agree on every score.
select
    cutoff_offset_days,
    cutoff_date,
    profile_id,
    ntile(5) over (
        partition by cutoff_date order by recency_days desc, {{ binary_order('profile_id') }}
    ) as r_score,
    ntile(5) over (
        partition by cutoff_date order by frequency, {{ binary_order('profile_id') }}
    ) as f_score,
    ntile(5) over (
        partition by cutoff_date order by monetary, {{ binary_order('profile_id') }}
    ) as m_score
from {{ ref('customer_order_features') }}
