{#- Fails on every combination of `columns` that more than one row shares (what dbt_utils'
    unique_combination_of_columns checks; this project installs no packages). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
