{{ config(materialized='table') }}
-- The date features are computed as of: the `reference_date` var when given, else the date of
-- the tenant's latest counted order (never the wall clock, so a rebuild reproduces its features).
select
    {% if reference_date_literal() is not none -%}
    {{ reference_date_literal() }}
    {%- else -%}
    max(order_date)
    {%- endif %} as reference_date
from {{ ref('profile_orders') }}
