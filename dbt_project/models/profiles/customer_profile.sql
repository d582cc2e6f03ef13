{{ config(materialized='table') }}
-- Customer 360: one row per profile, including profiles that never placed an order.
-- Orders are the counted ones (profile_orders: no cancelled or test orders). lifetime_value is
-- net of refunds; average_order_value is what an order was worth when placed (total_price).
with orders as (
    select
        profile_id,
        min(created_at) as first_order_at,
        max(created_at) as last_order_at,
        count(*) as total_orders,
        sum(total_price) as gross_revenue,
        sum(total_refunded) as total_refunded,
        sum(net_revenue) as lifetime_value
    from {{ ref('profile_orders') }}
    group by profile_id
),

channels as (
    select profile_id, {{ dbt.listagg('source_name', "','", 'order by ' ~ binary_order('source_name')) }} as channels_seen
    from (select distinct profile_id, source_name from {{ ref('profile_orders') }} where source_name is not null) as distinct_channels
    group by profile_id
),

records as (
    select
        profile_id,
        max(record_seen_at) as last_record_seen_at,
        {{ dbt.listagg('source_key', "','", 'order by ' ~ binary_order('source_key')) }} as source_keys
    from {{ ref('profile_records') }}
    group by profile_id
)

select
    strength.profile_id,
    identifiers.primary_email,
    identifiers.primary_phone,
    coalesce(identifiers.email_count, 0) as email_count,
    coalesce(identifiers.phone_count, 0) as phone_count,
    coalesce(identifiers.excluded_identifier_count, 0) as excluded_identifier_count,
    strength.source_records,
    strength.customer_records,
    records.source_keys,
    strength.profile_strength,
    orders.first_order_at,
    orders.last_order_at,
    coalesce(orders.total_orders, 0) as total_orders,
    cast(coalesce(orders.gross_revenue, 0) as decimal(20, 4)) as gross_revenue,
    cast(coalesce(orders.total_refunded, 0) as decimal(20, 4)) as total_refunded,
    cast(coalesce(orders.lifetime_value, 0) as decimal(20, 4)) as lifetime_value,
    cast(orders.gross_revenue / orders.total_orders as decimal(20, 4)) as average_order_value,
    channels.channels_seen,
    coalesce(consent.marketing_consent, false) as marketing_consent,
    consent.email_marketing_state,
    coalesce(consent.accepts_marketing, false) as accepts_marketing,
    case
        when orders.last_order_at is null or records.last_record_seen_at > orders.last_order_at
            then records.last_record_seen_at
        else orders.last_order_at
    end as last_seen_at
from {{ ref('profile_strength') }} as strength
inner join records on records.profile_id = strength.profile_id
left join {{ ref('profile_identifiers') }} as identifiers on identifiers.profile_id = strength.profile_id
left join {{ ref('profile_consent') }} as consent on consent.profile_id = strength.profile_id
left join orders on orders.profile_id = strength.profile_id
left join channels on channels.profile_id = strength.profile_id
