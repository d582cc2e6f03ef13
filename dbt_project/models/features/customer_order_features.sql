{{ config(materialized='table') }}
-- Recency, frequency, monetary, tenure, refunds and discounts per cutoff and profile that ordered
-- on or before the cutoff. Days are whole UTC calendar days back from the cutoff, so a past
-- cutoff's features read as they would have read on that day.
select
    cutoff_offset_days,
    cutoff_date,
    profile_id,
    max(reference_date) as reference_date,
    {{ dbt.datediff('max(order_date)', 'cutoff_date', 'day') }} as recency_days,
    count(*) as frequency,
    cast(sum(net_revenue) as decimal(20, 4)) as monetary,
    {{ dbt.datediff('min(order_date)', 'cutoff_date', 'day') }} as tenure_days,
    cast(sum(total_price) / count(*) as decimal(20, 4)) as average_order_value,
    {{ ratio('sum(refunded)', 'sum(total_price)') }} as refund_rate,
    {{ ratio('count(case when refunded > 0 then 1 end)', 'count(*)') }} as refunded_order_share,
    {{ ratio('count(case when has_discount then 1 end)', 'count(*)') }} as discount_usage
from {{ ref('feature_orders_at_cutoffs') }}
group by cutoff_offset_days, cutoff_date, profile_id
