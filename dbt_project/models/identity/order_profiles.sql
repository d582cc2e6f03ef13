-- Every order with the profile it belongs to: an order placed on a customer account follows
-- that account's profile; a guest checkout is a source record of its own.
select
    orders.shopify_order_id,
    members.profile_id,
    members.source_key
from {{ ref('stg_shopify__orders') }} as orders
inner join {{ source('identity', 'profile_members') }} as members
    on members.source_key = case
        when orders.shopify_customer_id is not null
            then 'shopify:' || cast(orders.shopify_customer_id as varchar)
        else 'shopify-guest-order:' || cast(orders.shopify_order_id as varchar)
    end
