{{ config(materialized='table') }}
-- The dates features are computed at: the reference date and the `feature_cutoff_offsets` days
-- before it, so a training set can pair features at a past cutoff with labels observed after it.
-- One row per offset (0 always); cutoff_date is null while the reference date is (no counted order).
with offsets as (
    {{ feature_cutoff_offset_rows() }}
)

select
    offsets.cutoff_offset_days,
    cast({{ dbt.dateadd('day', '-offsets.cutoff_offset_days', 'reference.reference_date') }} as date) as cutoff_date,
    reference.reference_date
from offsets
cross join {{ ref('feature_reference_date') }} as reference
