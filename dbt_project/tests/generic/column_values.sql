{#- Fails on every rule some rows break, one row per rule (column_name, rule, failing_rows): what
    a range test or an accepted-values test on each column checks, in one scan of the model and
    one dbt node (every dbt test is also a Dagster asset check, and a test per column cost a
    tenant run seconds). Nulls pass, as in dbt's accepted_values.
    `between`: column -> [min, max], inclusive. `accepted`: column -> the values it may hold
    (strings are quoted, numbers are not). -#}
{% test column_values(model, between={}, accepted={}) %}
{%- set rules = [] -%}
{%- for column, bounds in between.items() -%}
    {%- do rules.append([column, "between " ~ bounds[0] ~ " and " ~ bounds[1],
                         column ~ " < " ~ bounds[0] ~ " or " ~ column ~ " > " ~ bounds[1]]) -%}
{%- endfor -%}
{%- for column, values in accepted.items() -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append("'" ~ value | replace("'", "''") ~ "'" if value is string else value | string) -%}
    {%- endfor -%}
    {%- do rules.append([column, "one of " ~ values | join(", "), column ~ " not in (" ~ literals | join(", ") ~ ")"]) -%}
{%- endfor -%}
with failing as (
    select
    {%- for column, rule, condition in rules %}
        sum(case when {{ condition }} then 1 else 0 end) as rule_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
select column_name, rule, failing_rows
from (
    {%- for column, rule, condition in rules %}
    {{ "union all " if not loop.first }}select '{{ column }}' as column_name, '{{ rule | replace("'", "''") }}' as rule, rule_{{ loop.index }} as failing_rows from failing
    {%- endfor %}
) as per_rule
where failing_rows > 0
{% endtest %}
