-- Product variants of each product's latest version only.
select
    variant.id as shopify_variant_id,
    products.id as shopify_product_id,
    variant.sku,
    variant.title,
    cast(variant.price as decimal(20, 4)) as price,
    variant.inventory_quantity,
    variant.created_at,
    variant.updated_at
from {{ raw_child_table('shopify', 'shopify_products', 'variants') }} as variant
inner join {{ latest_version(raw_table('shopify', 'shopify_products')) }} as products
    on variant._dlt_parent_id = products._dlt_id
