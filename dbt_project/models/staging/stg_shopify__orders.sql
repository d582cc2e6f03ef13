-- One row per Shopify order with money typed and net revenue net of refunds.
-- Money keeps 4 decimals: Shopify amounts in three-decimal currencies (KWD, BHD, ...) must not round.
select
    id as shopify_order_id,
    'shopify:' || cast(id as varchar) as source_order_key,
    customer_id as shopify_customer_id,
    name as order_name,
    email as email_raw,
    {{ normalized_email('email') }} as email,
    phone as phone_raw,
    created_at,
    processed_at,
    updated_at,
    cancelled_at,
    closed_at,
    cancel_reason,
    currency,
    financial_status,
    fulfillment_status,
    source_name,
    coalesce(test, false) as is_test,
    cancelled_at is not null as is_cancelled,
    cast(total_price as decimal(20, 4)) as total_price,
    cast(subtotal_price as decimal(20, 4)) as subtotal_price,
    cast(coalesce(total_discounts, 0) as decimal(20, 4)) as total_discounts,
    cast(coalesce(total_tax, 0) as decimal(20, 4)) as total_tax,
    cast(coalesce(total_refunded, 0) as decimal(20, 4)) as total_refunded,
    cast(total_price - coalesce(total_refunded, 0) as decimal(20, 4)) as net_revenue
from {{ source('shopify', 'shopify_orders') }}
