{{ config(materialized='table') }}
-- Email marketing consent per profile. The rule: the profile's most recent consent state wins,
-- and the profile consents only when that state is SUBSCRIBED. "Most recent" is the customer
-- record updated last among those that carry a state (a record without an email says nothing
-- about email consent); on equal update times the most restrictive state wins
-- (UNSUBSCRIBED, then NOT_SUBSCRIBED, then anything else, then SUBSCRIBED), so an
-- unsubscribe is never outvoted by an older or simultaneous subscribe.
-- States compare upper-cased: the GraphQL API sends SUBSCRIBED, webhooks (REST) subscribed.
with states as (
    select
        members.profile_id,
        customers.accepts_marketing,
        upper(customers.email_marketing_state) as email_marketing_state,
        row_number() over (
            partition by members.profile_id
            order by
                customers.updated_at desc nulls last,
                case upper(customers.email_marketing_state)
                    when 'UNSUBSCRIBED' then 0 when 'NOT_SUBSCRIBED' then 1 when 'SUBSCRIBED' then 3 else 2
                end,
                {{ binary_order('members.source_key') }}
        ) as recency_rank
    from {{ source('identity', 'profile_members') }} as members
    inner join {{ ref('stg_shopify__customers') }} as customers
        on customers.source_customer_key = members.source_key
    where customers.email_marketing_state is not null
)

select
    profile_id,
    email_marketing_state,
    coalesce(accepts_marketing, false) as accepts_marketing,
    email_marketing_state = 'SUBSCRIBED' as marketing_consent
from states
where recency_rank = 1
