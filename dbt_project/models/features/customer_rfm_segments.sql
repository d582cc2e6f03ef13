{{ config(materialized='table') }}
-- The RFM segment of each profile as of the reference date (the offset-0 slice), one row per
-- profile: the marts join it by profile_id.
select profile_id, r_score, f_score, m_score, fm_score, rfm_segment
from {{ ref('customer_rfm_segments_at_cutoffs') }}
where cutoff_offset_days = 0
