-- One row per refund, from each order's latest version only.
select
    refund.id as shopify_refund_id,
    orders.id as shopify_order_id,
    refund.created_at,
    refund.note,
    cast(coalesce(refund.total_refunded, 0) as decimal(20, 4)) as total_refunded
from {{ raw_child_table('shopify', 'shopify_orders', 'refunds') }} as refund
inner join {{ latest_version(raw_table('shopify', 'shopify_orders')) }} as orders
    on refund._dlt_parent_id = orders._dlt_id
