-- One row per Shopify customer (dlt merges on id), typed, with identifiers normalised.
select
    id as shopify_customer_id,
    'shopify:' || cast(id as varchar) as source_customer_key,
    first_name,
    last_name,
    email as email_raw,
    {{ normalized_email('email') }} as email,
    phone as phone_raw,
    address_country_code as country_code,
    state,
    verified_email,
    tags,
    coalesce(accepts_marketing, false) as accepts_marketing,
    email_marketing_state,
    created_at,
    updated_at
from {{ source('shopify', 'shopify_customers') }}
