{{ config(materialized='table') }}
-- The `top_customers_limit` (default 100) profiles with the highest lifetime value (net of
-- refunds); equal values rank by profile_id in byte order.
with ranked as (
    select
        profile_id,
        primary_email,
        total_orders,
        lifetime_value,
        average_order_value,
        last_order_at,
        rfm.rfm_segment,
        row_number() over (order by lifetime_value desc, {{ binary_order('profiles.profile_id') }}) as ltv_rank
    from {{ ref('customer_profile') }} as profiles
    left join {{ ref('customer_rfm_segments') }} as rfm using (profile_id)
    where total_orders > 0
)

select * from ranked
where ltv_rank <= {{ var('top_customers_limit', 100) | int }}
