-- One row per Shopify customer: the latest version (by updated_at) in the raw version log,
-- typed, with identifiers normalised.
with customers as (
    select * from {{ latest_version(raw_table('shopify', 'shopify_customers')) }} as latest
)

select
    id as shopify_customer_id,
    'shopify:' || cast(id as {{ dbt.type_string() }}) as source_customer_key,
    first_name,
    last_name,
    email as email_raw,
    {{ normalized_email('email') }} as email,
    phone as phone_raw,
    address_country_code as country_code,
    address_line1,
    address_province,
    address_city,
    address_zip,
    state,
    verified_email,
    tags,
    coalesce(accepts_marketing, false) as accepts_marketing,
    email_marketing_state,
    email_marketing_opt_in_level,
    sms_marketing_state,
    created_at,
    updated_at
from customers
