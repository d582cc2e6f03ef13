{{ config(materialized='table') }}
-- The date features are computed as of: the `reference_date` var when given, else the date of
-- the tenant's latest counted order (never the wall clock, so a rebuild reproduces its features).
-- Always one row; null only while the tenant has no counted order (and so no features).
select
    coalesce({{ reference_date_literal() or 'cast(null as date)' }}, max(order_date)) as reference_date
from {{ ref('profile_orders') }}
