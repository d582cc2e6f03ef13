{#- Identifier normalisation shared by every channel's staging models. -#}

{% macro regexp_full_match(expr, pattern) %}
  {{ return(adapter.dispatch('regexp_full_match')(expr, pattern)) }}
{% endmacro %}

{% macro default__regexp_full_match(expr, pattern) %}({{ expr }} ~ '^(?:{{ pattern }})$'){% endmacro %}

{% macro duckdb__regexp_full_match(expr, pattern) %}regexp_full_match({{ expr }}, '{{ pattern }}'){% endmacro %}

{#- Whitespace of any kind (tabs and newlines too, as Python's str.strip) cut from both ends:
    SQL trim() cuts only spaces, and checkout forms send "ann@x.com\t". -#}
{% macro trim_whitespace(expr) %}regexp_replace({{ expr }}, '^\s+|\s+$', '', 'g'){% endmacro %}

{#- Trimmed, lower-cased, and null unless it is a syntactically valid address. -#}
{% macro normalized_email(column) %}
  {%- set trimmed = "lower(" ~ trim_whitespace(column) ~ ")" -%}
  case
    when {{ regexp_full_match(trimmed, "[a-z0-9._%+''-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}") }}
    then {{ trimmed }}
  end
{% endmacro %}

{#- A dlt child table (e.g. shopify_orders__line_items) as a relation beside its parent
    source, so lineage runs to the parent's ingestion asset. -#}
{% macro child_table(source_name, parent_table, child) %}
  {%- set parent = source(source_name, parent_table) -%}
  {{ return(api.Relation.create(database=parent.database, schema=parent.schema, identifier=parent_table ~ '__' ~ child)) }}
{% endmacro %}
