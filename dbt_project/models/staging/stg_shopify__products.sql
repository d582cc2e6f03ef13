-- One row per Shopify product with its category.
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
from {{ source('shopify', 'shopify_products') }}
