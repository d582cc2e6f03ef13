-- Order line items of each order's latest version only: an older version's lines (a line
-- since removed, an old quantity) hang off that version's _dlt_id and drop out here.
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
from {{ raw_child_table('shopify', 'shopify_orders', 'line_items') }} as line
inner join {{ latest_version(raw_table('shopify', 'shopify_orders')) }} as orders
    on line._dlt_parent_id = orders._dlt_id
