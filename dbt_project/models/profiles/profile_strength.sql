{{ config(materialized='table') }}
-- profile_strength (0-100): how well the profile is known and how reachable it is.
--   +35 a linkable (valid, not excluded) email      +25 a linkable phone
--   +15 email marketing consent                     +15 corroborated: two or more source records
--   +10 a customer account (not only guest checkouts)
--   -20 identifiers were given but every one is excluded (junk, blocklist, hub, invalid)
-- clamped to 0..100, so the best-known profile scores exactly 100.
with records as (
    select
        profile_id,
        count(*) as source_records,
        count(case when source_kind = 'customer' then 1 end) as customer_records
    from {{ ref('profile_records') }}
    group by profile_id
),

signals as (
    select
        records.profile_id,
        records.source_records,
        records.customer_records,
        coalesce(identifiers.email_count, 0) > 0 as has_email,
        coalesce(identifiers.phone_count, 0) > 0 as has_phone,
        coalesce(identifiers.linkable_identifier_count, 0) = 0
            and coalesce(identifiers.excluded_identifier_count, 0) > 0 as only_excluded_identifiers,
        coalesce(consent.marketing_consent, false) as marketing_consent
    from records
    left join {{ ref('profile_identifiers') }} as identifiers
        on identifiers.profile_id = records.profile_id
    left join {{ ref('profile_consent') }} as consent
        on consent.profile_id = records.profile_id
)

select
    profile_id,
    source_records,
    customer_records,
    least(100, greatest(0,
        case when has_email then 35 else 0 end
        + case when has_phone then 25 else 0 end
        + case when marketing_consent then 15 else 0 end
        + case when source_records >= 2 then 15 else 0 end
        + case when customer_records >= 1 then 10 else 0 end
        - case when only_excluded_identifiers then 20 else 0 end
    )) as profile_strength
from signals
