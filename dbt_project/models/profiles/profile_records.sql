{{ config(materialized='table') }}
-- Every source record of every profile, with when it was last seen: a customer record when it
-- was last updated, a guest checkout when the order was placed.
select
    members.profile_id,
    members.source_key,
    members.source_kind,
    members.channel,
    customers.shopify_customer_id,
    coalesce(customers.updated_at, guest_orders.created_at) as record_seen_at
from {{ source('identity', 'profile_members') }} as members
left join {{ ref('stg_shopify__customers') }} as customers
    on customers.source_customer_key = members.source_key
left join {{ ref('stg_shopify__orders') }} as guest_orders
    on members.source_key = 'shopify-guest-order:' || cast(guest_orders.shopify_order_id as {{ dbt.type_string() }})
