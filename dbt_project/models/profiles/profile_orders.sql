{{ config(materialized='table') }}
-- The orders that count, with their profile: cancelled and test orders are left out here, once,
-- for every profile, feature and mart downstream (a cancelled order is no sale even when its
-- payment was captured and refunded; a test order was never a sale).
select
    orders.shopify_order_id,
    order_profiles.profile_id,
    orders.created_at,
    {{ utc_date('orders.created_at') }} as order_date,
    orders.source_name,
    orders.total_price,
    orders.total_discounts,
    orders.total_refunded,
    orders.net_revenue,
    orders.total_discounts > 0 as has_discount
from {{ ref('stg_shopify__orders') }} as orders
inner join {{ ref('order_profiles') }} as order_profiles
    on order_profiles.shopify_order_id = orders.shopify_order_id
where not orders.is_cancelled
    and not orders.is_test
