{{ config(materialized='table') }}
-- The RFM segment of each profile at each cutoff, from the one rule table (macros/rfm.sql).
with scores as (
    select
        *,
        {{ rfm_fm_score('f_score', 'm_score') }} as fm_score
    from {{ ref('customer_rfm_scores') }}
)

select
    cutoff_offset_days, cutoff_date, profile_id, r_score, f_score, m_score, fm_score,
    {{ rfm_segment('r_score', 'fm_score') }} as rfm_segment
from scores
