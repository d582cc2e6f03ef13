{#- The SQL of a data test that checks several rules in one scan of `model` (a test per rule is
    a dbt node and a Dagster asset check each, which cost a tenant run seconds): counts the rows
    each rule's condition holds for, then returns one row per rule some rows break, with that
    rule's labels and the count as `count_name`.
    `rules`: [labels, condition], labels being [[column, text], ...] alike for every rule. -#}
{% macro failing_rules(model, rules, count_name) %}
with counts as (
    select
    {%- for labels, condition in rules %}
        sum(case when {{ condition }} then 1 else 0 end) as rule_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
select {% for name, text in rules[0][0] %}{{ name }}, {% endfor %}{{ count_name }}
from (
    {%- for labels, condition in rules %}
    {{ "union all " if not loop.first }}select {% for name, text in labels %}'{{ text | replace("'", "''") }}' as {{ name }}, {% endfor %}rule_{{ loop.index }} as {{ count_name }} from counts
    {%- endfor %}
) as per_rule
where {{ count_name }} > 0
{% endmacro %}
