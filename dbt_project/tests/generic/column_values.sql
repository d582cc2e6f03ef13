{#- Fails on every rule some rows break, one row per rule (column_name, rule, failing_rows): what
    a range test or an accepted-values test on each column checks, in one scan of the model and
    one dbt node (macros/failing_rules.sql). Nulls pass, as in dbt's accepted_values.
    `between`: column -> [min, max], inclusive. `accepted`: column -> the values it may hold
    (strings are quoted, numbers are not). -#}
{% test column_values(model, between={}, accepted={}) %}
{%- set rules = [] -%}
{%- for column, bounds in between.items() -%}
    {%- do rules.append([[["column_name", column], ["rule", "between " ~ bounds[0] ~ " and " ~ bounds[1]]],
                         column ~ " < " ~ bounds[0] ~ " or " ~ column ~ " > " ~ bounds[1]]) -%}
{%- endfor -%}
{%- for column, values in accepted.items() -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append("'" ~ value | replace("'", "''") ~ "'" if value is string else value | string) -%}
    {%- endfor -%}
    {%- do rules.append([[["column_name", column], ["rule", "one of " ~ values | join(", ")]],
                         column ~ " not in (" ~ literals | join(", ") ~ ")"]) -%}
{%- endfor -%}
{{ failing_rules(model, rules, "failing_rows") }}
{% endtest %}
