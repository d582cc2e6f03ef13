{{ config(materialized='table') }}
-- Counted orders placed on or before the reference date, with only the refunds issued on or
-- before it: nothing that happened after the reference date reaches a feature (no leakage).
with reference as (
    select reference_date from {{ ref('feature_reference_date') }}
),

refunds as (
    select refunds.shopify_order_id, sum(refunds.total_refunded) as refunded
    from {{ ref('stg_shopify__refunds') }} as refunds
    cross join reference
    where {{ utc_date('refunds.created_at') }} <= reference.reference_date
    group by refunds.shopify_order_id
)

select
    orders.shopify_order_id,
    orders.profile_id,
    orders.order_date,
    reference.reference_date,
    orders.total_price,
    cast(coalesce(refunds.refunded, 0) as decimal(20, 4)) as refunded,
    cast(orders.total_price - coalesce(refunds.refunded, 0) as decimal(20, 4)) as net_revenue,
    orders.has_discount
from {{ ref('profile_orders') }} as orders
cross join reference
left join refunds on refunds.shopify_order_id = orders.shopify_order_id
where orders.order_date <= reference.reference_date
