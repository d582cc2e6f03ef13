{#- Identifier normalisation shared by every channel's staging models. -#}

{% macro regexp_full_match(expr, pattern) %}
  {{ return(adapter.dispatch('regexp_full_match')(expr, pattern)) }}
{% endmacro %}

{% macro default__regexp_full_match(expr, pattern) %}({{ expr }} ~ '^(?:{{ pattern }})$'){% endmacro %}

{% macro duckdb__regexp_full_match(expr, pattern) %}regexp_full_match({{ expr }}, '{{ pattern }}'){% endmacro %}

{#- Trimmed, lower-cased, and null unless it is a syntactically valid address. -#}
{% macro normalized_email(column) %}
  case
    when {{ regexp_full_match("lower(trim(" ~ column ~ "))", "[a-z0-9._%+''-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}") }}
    then lower(trim({{ column }}))
  end
{% endmacro %}

{#- A dlt child table (e.g. shopify_orders__line_items) as a relation beside its parent
    source, so lineage runs to the parent's ingestion asset. -#}
{% macro child_table(source_name, parent_table, child) %}
  {%- set parent = source(source_name, parent_table) -%}
  {{ return(api.Relation.create(database=parent.database, schema=parent.schema, identifier=parent_table ~ '__' ~ child)) }}
{% endmacro %}
