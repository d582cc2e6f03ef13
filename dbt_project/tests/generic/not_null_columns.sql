{#- Fails on every one of `columns` that has nulls, one row per column (column_name, null_rows):
    what a not_null test on each column checks, in one scan of the model and one dbt node
    (macros/failing_rules.sql). -#}
{% test not_null_columns(model, columns) %}
{%- set rules = [] -%}
{%- for column in columns -%}
    {%- do rules.append([[["column_name", column]], column ~ " is null"]) -%}
{%- endfor -%}
{{ failing_rules(model, rules, "null_rows") }}
{% endtest %}
