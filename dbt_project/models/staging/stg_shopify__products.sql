-- One row per Shopify product: the latest version (by updated_at) in the raw version log.
select
    id as shopify_product_id,
    title,
    handle,
    product_type,
    vendor,
    status,
    category_name,
    category_full_name,
    created_at,
    updated_at
from {{ latest_version(raw_table('shopify', 'shopify_products')) }} as latest
