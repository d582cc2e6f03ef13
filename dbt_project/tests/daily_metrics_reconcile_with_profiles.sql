{{ config(meta={'dagster': {'ref': {'name': 'daily_commerce_metrics'}}}) }}
-- The dashboard and Customer 360 count the same sales: over all days, daily orders, gross revenue
-- and refunds add up to the profiles' totals (same exclusions, different grain and date basis).
with daily as (
    select sum(orders) as orders, sum(gross_revenue) as gross, sum(refunds) as refunds
    from {{ ref('daily_commerce_metrics') }}
),

profiles as (
    select sum(total_orders) as orders, sum(gross_revenue) as gross, sum(total_refunded) as refunds
    from {{ ref('customer_profile') }}
)

select daily.*, profiles.orders as profile_orders
from daily cross join profiles
where daily.orders <> profiles.orders
    or daily.gross <> profiles.gross
    or daily.refunds <> profiles.refunds
