{{ config(materialized='table') }}
-- Best-selling products over counted orders, ranked by revenue (line totals after discounts)
-- and by units; a product in the top `top_products_limit` (default 50) of either is listed.
with sales as (
    select
        lines.shopify_product_id,
        cast(sum(lines.quantity) as bigint) as units,
        sum(lines.discounted_total) as revenue,
        count(distinct lines.shopify_order_id) as orders
    from {{ ref('stg_shopify__order_lines') }} as lines
    inner join {{ ref('profile_orders') }} as counted
        on counted.shopify_order_id = lines.shopify_order_id
    where lines.shopify_product_id is not null
    group by lines.shopify_product_id
),

ranked as (
    select
        sales.shopify_product_id,
        products.title,
        products.category_name,
        sales.units,
        cast(sales.revenue as decimal(20, 4)) as revenue,
        sales.orders,
        row_number() over (order by sales.revenue desc, sales.shopify_product_id) as revenue_rank,
        row_number() over (order by sales.units desc, sales.shopify_product_id) as units_rank
    from sales
    left join {{ ref('stg_shopify__products') }} as products
        on products.shopify_product_id = sales.shopify_product_id
)

select * from ranked
where revenue_rank <= {{ var('top_products_limit', 50) | int }}
    or units_rank <= {{ var('top_products_limit', 50) | int }}
