{#- Fails on every one of `columns` that has nulls, one row per column (column_name, null_rows):
    what a not_null test on each column checks, in one scan of the model and one dbt node (every
    dbt test is also a Dagster asset check, and the per-column tests cost a tenant run seconds). -#}
{% test not_null_columns(model, columns) %}
with null_counts as (
    select
    {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
select column_name, null_rows
from (
    {%- for column in columns %}
    {{ "union all " if not loop.first }}select '{{ column }}' as column_name, {{ column }} as null_rows from null_counts
    {%- endfor %}
) as per_column
where null_rows > 0
{% endtest %}
