{{ config(materialized='table') }}
-- Days between consecutive orders (UTC calendar days; two orders on one day are 0 days apart),
-- per cutoff and profile with at least two orders on or before the cutoff. The spread is the
-- population standard deviation, so two orders give 0, not null.
with gaps as (
    select
        cutoff_offset_days,
        cutoff_date,
        profile_id,
        {{ dbt.datediff(
            'lag(order_date) over (partition by cutoff_date, profile_id order by order_date, shopify_order_id)',
            'order_date', 'day') }} as gap_days
    from {{ ref('feature_orders_at_cutoffs') }}
)

select
    cutoff_offset_days,
    cutoff_date,
    profile_id,
    cast(avg(cast(gap_days as double precision)) as double precision) as interpurchase_days_mean,
    cast(stddev_pop(cast(gap_days as double precision)) as double precision) as interpurchase_days_std,
    min(gap_days) as interpurchase_days_min,
    max(gap_days) as interpurchase_days_max
from gaps
where gap_days is not null
group by cutoff_offset_days, cutoff_date, profile_id
