{{ config(materialized='table') }}
-- The category a profile spends most on (line totals after discounts, orders on or before the
-- cutoff) and its share of the profile's spend, per cutoff. Ties go to the category name first in
-- byte order; products without a category count as 'Uncategorized'.
with spend as (
    select
        orders.cutoff_offset_days,
        orders.cutoff_date,
        orders.profile_id,
        coalesce(products.category_name, 'Uncategorized') as category,
        sum(lines.discounted_total) as category_spend
    from {{ ref('feature_orders_at_cutoffs') }} as orders
    inner join {{ ref('stg_shopify__order_lines') }} as lines
        on lines.shopify_order_id = orders.shopify_order_id
    left join {{ ref('stg_shopify__products') }} as products
        on products.shopify_product_id = lines.shopify_product_id
    group by
        orders.cutoff_offset_days,
        orders.cutoff_date,
        orders.profile_id,
        coalesce(products.category_name, 'Uncategorized')
),

ranked as (
    select
        cutoff_offset_days,
        cutoff_date,
        profile_id,
        category,
        category_spend,
        sum(category_spend) over (partition by cutoff_date, profile_id) as total_spend,
        row_number() over (
            partition by cutoff_date, profile_id
            order by category_spend desc, {{ binary_order('category') }}
        ) as spend_rank
    from spend
)

select
    cutoff_offset_days,
    cutoff_date,
    profile_id,
    category as top_category,
    {{ ratio('category_spend', 'total_spend') }} as top_category_share
from ranked
where spend_rank = 1
