{{ config(materialized='table') }}
-- The merchant dashboard's daily numbers, by UTC calendar day. Orders are the counted ones
-- (profile_orders: no cancelled or test orders, and so no refunds of cancelled orders either).
-- gross_revenue: total_price of the day's orders; refunds: amounts refunded that day, whatever
-- day their order was placed; net_revenue = gross_revenue - refunds (cash view of the day).
-- A customer is a profile: new on the day of its first counted order, returning after that.
with orders as (
    select
        orders.*,
        min(order_date) over (partition by profile_id) as first_order_date
    from {{ ref('profile_orders') }} as orders
),

order_days as (
    select
        order_date as metric_date,
        count(*) as orders,
        sum(total_price) as gross_revenue,
        sum(total_discounts) as discounts,
        count(distinct profile_id) as customers,
        count(distinct case when first_order_date = order_date then profile_id end) as new_customers,
        count(distinct case when first_order_date < order_date then profile_id end) as returning_customers
    from orders
    group by order_date
),

refund_days as (
    select
        {{ utc_date('refunds.created_at') }} as metric_date,
        count(*) as refund_count,
        sum(refunds.total_refunded) as refunds
    from {{ ref('stg_shopify__refunds') }} as refunds
    inner join {{ ref('profile_orders') }} as counted
        on counted.shopify_order_id = refunds.shopify_order_id
    group by {{ utc_date('refunds.created_at') }}
),

days as (
    select metric_date from order_days
    union
    select metric_date from refund_days
)

select
    days.metric_date,
    coalesce(order_days.orders, 0) as orders,
    cast(coalesce(order_days.gross_revenue, 0) as decimal(20, 4)) as gross_revenue,
    cast(coalesce(order_days.discounts, 0) as decimal(20, 4)) as discounts,
    coalesce(refund_days.refund_count, 0) as refund_count,
    cast(coalesce(refund_days.refunds, 0) as decimal(20, 4)) as refunds,
    cast(coalesce(order_days.gross_revenue, 0) - coalesce(refund_days.refunds, 0) as decimal(20, 4)) as net_revenue,
    cast(order_days.gross_revenue / order_days.orders as decimal(20, 4)) as average_order_value,
    coalesce(order_days.customers, 0) as customers,
    coalesce(order_days.new_customers, 0) as new_customers,
    coalesce(order_days.returning_customers, 0) as returning_customers
from days
left join order_days on order_days.metric_date = days.metric_date
left join refund_days on refund_days.metric_date = days.metric_date
