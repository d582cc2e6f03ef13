{{ config(materialized='table') }}
-- Counted orders placed on or before the reference date, with only the refunds issued on or
-- before it (no leakage), one row per order: the offset-0 slice of feature_orders_at_cutoffs,
-- kept as its own table because label computations outside dbt read it.
select
    shopify_order_id,
    profile_id,
    order_date,
    reference_date,
    total_price,
    refunded,
    net_revenue,
    has_discount
from {{ ref('feature_orders_at_cutoffs') }}
where cutoff_offset_days = 0
