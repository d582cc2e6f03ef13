-- Order line items, keyed to their order through dlt's parent link.
select
    line.id as shopify_line_item_id,
    orders.id as shopify_order_id,
    line.product_id as shopify_product_id,
    line.variant_id as shopify_variant_id,
    line.sku,
    line.title,
    line.quantity,
    cast(line.price as decimal(20, 4)) as unit_price,
    cast(line.discounted_total as decimal(20, 4)) as discounted_total
from {{ child_table('shopify', 'shopify_orders', 'line_items') }} as line
inner join {{ source('shopify', 'shopify_orders') }} as orders
    on line._dlt_parent_id = orders._dlt_id
