-- Customer 360: the unified profile with what the models say about it. Profiles that never
-- ordered have no predictions (nothing to score) and keep null prediction columns.
select
    profile.*,
    predictions.churn_probability,
    predictions.churn_risk_band,
    predictions.churn_source,
    predictions.predicted_value,
    predictions.value_window_days,
    predictions.segment,
    predictions.segment_source,
    predictions.rfm_segment,
    predictions.churn_model_version,
    predictions.value_model_version,
    predictions.segment_model_version,
    predictions.scored_at
from {{ ref('customer_profile') }} as profile
left join {{ source('ml', 'customer_predictions') }} as predictions
    on predictions.profile_id = profile.profile_id
