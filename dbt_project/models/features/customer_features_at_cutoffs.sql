{{ config(materialized='table') }}
-- Features per cutoff and profile with an order on or before the cutoff, each computed only from
-- orders and refunds on or before it, for model training at past cutoffs. reference_date is the
-- run's reference date; recency and tenure count back from cutoff_date.
select
    orders.cutoff_offset_days,
    orders.cutoff_date,
    orders.profile_id,
    orders.reference_date,
    orders.recency_days,
    orders.frequency,
    orders.monetary,
    orders.tenure_days,
    orders.average_order_value,
    gaps.interpurchase_days_mean,
    gaps.interpurchase_days_std,
    gaps.interpurchase_days_min,
    gaps.interpurchase_days_max,
    orders.refund_rate,
    orders.refunded_order_share,
    orders.discount_usage,
    categories.top_category,
    categories.top_category_share,
    segments.r_score,
    segments.f_score,
    segments.m_score,
    segments.fm_score,
    segments.rfm_segment
from {{ ref('customer_order_features') }} as orders
inner join {{ ref('customer_rfm_segments_at_cutoffs') }} as segments
    on segments.cutoff_date = orders.cutoff_date and segments.profile_id = orders.profile_id
left join {{ ref('customer_interpurchase_features') }} as gaps
    on gaps.cutoff_date = orders.cutoff_date and gaps.profile_id = orders.profile_id
left join {{ ref('customer_category_affinity') }} as categories
    on categories.cutoff_date = orders.cutoff_date and categories.profile_id = orders.profile_id
