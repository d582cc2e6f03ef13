{{ config(materialized='table') }}
-- Features per profile as of the reference date (one row per profile with an order on or before
-- it), for segmentation and model training at that cutoff.
select
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
inner join {{ ref('customer_rfm_segments') }} as segments on segments.profile_id = orders.profile_id
left join {{ ref('customer_interpurchase_features') }} as gaps on gaps.profile_id = orders.profile_id
left join {{ ref('customer_category_affinity') }} as categories on categories.profile_id = orders.profile_id
