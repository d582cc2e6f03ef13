{{ config(materialized='table') }}
-- Counted orders paired with every cutoff on or before which they were placed, each with only the
-- refunds issued on or before that cutoff: nothing after a cutoff reaches its features (no
-- leakage). One row per cutoff and order.
with cutoffs as (
    select cutoff_offset_days, cutoff_date, reference_date from {{ ref('feature_cutoffs') }}
),

refunds as (
    select cutoffs.cutoff_date, refunds.shopify_order_id, sum(refunds.total_refunded) as refunded
    from {{ ref('stg_shopify__refunds') }} as refunds
    inner join cutoffs on {{ utc_date('refunds.created_at') }} <= cutoffs.cutoff_date
    group by cutoffs.cutoff_date, refunds.shopify_order_id
)

select
    cutoffs.cutoff_offset_days,
    cutoffs.cutoff_date,
    orders.shopify_order_id,
    orders.profile_id,
    orders.order_date,
    cutoffs.reference_date,
    orders.total_price,
    cast(coalesce(refunds.refunded, 0) as decimal(20, 4)) as refunded,
    cast(orders.total_price - coalesce(refunds.refunded, 0) as decimal(20, 4)) as net_revenue,
    orders.has_discount
from {{ ref('profile_orders') }} as orders
inner join cutoffs on orders.order_date <= cutoffs.cutoff_date
left join refunds
    on refunds.cutoff_date = cutoffs.cutoff_date
    and refunds.shopify_order_id = orders.shopify_order_id
