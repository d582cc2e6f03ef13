{{ config(materialized='table') }}
-- Identifiers per profile. A value may link only when excluded_reason is null (valid, not junk,
-- not blocklisted, not a hub); the primary email/phone is the linkable one seen most recently
-- (ties: the smaller value).
with identifiers as (
    select
        records.profile_id,
        ids.kind,
        ids.value,
        ids.excluded_reason is null as is_linkable,
        max(records.record_seen_at) as last_seen_at
    from {{ source('identity', 'customer_identifiers') }} as ids
    inner join {{ ref('profile_records') }} as records
        on records.source_key = ids.source_key
    where ids.kind <> 'source_id'
    group by records.profile_id, ids.kind, ids.value, ids.excluded_reason is null
),

ranked as (
    select
        *,
        row_number() over (
            partition by profile_id, kind, is_linkable
            order by last_seen_at desc nulls last, {{ binary_order('value') }}
        ) as recency_rank
    from identifiers
)

select
    profile_id,
    max(case when kind = 'email' and is_linkable and recency_rank = 1 then value end) as primary_email,
    max(case when kind = 'phone' and is_linkable and recency_rank = 1 then value end) as primary_phone,
    count(distinct case when kind = 'email' and is_linkable then value end) as email_count,
    count(distinct case when kind = 'phone' and is_linkable then value end) as phone_count,
    count(case when is_linkable then 1 end) as linkable_identifier_count,
    count(case when not is_linkable then 1 end) as excluded_identifier_count
from ranked
group by profile_id
