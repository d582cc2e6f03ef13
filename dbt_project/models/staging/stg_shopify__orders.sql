-- One row per Shopify order: the latest version (by updated_at) in the raw version log, with
-- money typed and net revenue net of refunds. Discount codes count from that version only.
-- Money keeps 4 decimals: Shopify amounts in three-decimal currencies (KWD, BHD, ...) must not round.
with orders as (
    select * from {{ latest_version(raw_table('shopify', 'shopify_orders')) }} as latest
),

discount_codes as (
    select _dlt_parent_id, count(*) as discount_code_count
    from {{ raw_child_table('shopify', 'shopify_orders', 'discount_codes') }} as codes
    group by _dlt_parent_id
)

select
    orders.id as shopify_order_id,
    'shopify:' || cast(orders.id as {{ dbt.type_string() }}) as source_order_key,
    orders.customer_id as shopify_customer_id,
    orders.name as order_name,
    orders.email as email_raw,
    {{ normalized_email('orders.email') }} as email,
    orders.phone as phone_raw,
    orders.created_at,
    orders.processed_at,
    orders.updated_at,
    orders.cancelled_at,
    orders.closed_at,
    orders.cancel_reason,
    orders.currency,
    orders.financial_status,
    orders.fulfillment_status,
    orders.source_name,
    coalesce(orders.test, false) as is_test,
    orders.cancelled_at is not null as is_cancelled,
    cast(orders.total_price as decimal(20, 4)) as total_price,
    cast(orders.subtotal_price as decimal(20, 4)) as subtotal_price,
    cast(coalesce(orders.total_discounts, 0) as decimal(20, 4)) as total_discounts,
    cast(coalesce(orders.total_tax, 0) as decimal(20, 4)) as total_tax,
    cast(coalesce(orders.total_refunded, 0) as decimal(20, 4)) as total_refunded,
    cast(orders.total_price - coalesce(orders.total_refunded, 0) as decimal(20, 4)) as net_revenue,
    coalesce(discount_codes.discount_code_count, 0) as discount_code_count,
    coalesce(discount_codes.discount_code_count, 0) > 0 as has_discount
from orders
left join discount_codes
    on discount_codes._dlt_parent_id = orders._dlt_id
