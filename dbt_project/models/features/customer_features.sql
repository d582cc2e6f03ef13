{{ config(materialized='table') }}
-- Features per profile as of the reference date (one row per profile with an order on or before
-- it), for segmentation and model training at that cutoff: the offset-0 slice of
-- customer_features_at_cutoffs, so both always agree.
select
    profile_id,
    reference_date,
    recency_days,
    frequency,
    monetary,
    tenure_days,
    average_order_value,
    interpurchase_days_mean,
    interpurchase_days_std,
    interpurchase_days_min,
    interpurchase_days_max,
    refund_rate,
    refunded_order_share,
    discount_usage,
    top_category,
    top_category_share,
    r_score,
    f_score,
    m_score,
    fm_score,
    rfm_segment
from {{ ref('customer_features_at_cutoffs') }}
where cutoff_offset_days = 0
