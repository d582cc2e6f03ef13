{#- Raw tables are append-only version logs loaded by dlt: one row per fetched version of a
    record, child rows attached to their parent version by `_dlt_parent_id = _dlt_id`.
    Staging reads them through these macros so every channel deduplicates the same way. -#}

{#- The latest version of each record, as a subquery: greatest `version_column` wins, then the
    later load (a re-fetched identical version), then `_dlt_id` so the pick is deterministic.
    `_dlt_id` of the chosen row is kept, so child tables can join to exactly that version. -#}
{% macro latest_version(relation, key='id', version_column='updated_at') %}
(
    select ranked.*
    from (
        select
            versions.*,
            row_number() over (
                partition by versions.{{ key }}
                order by versions.{{ version_column }} desc, versions._dlt_load_id desc, versions._dlt_id desc
            ) as version_rank
        from {{ relation }} as versions
    ) as ranked
    where ranked.version_rank = 1
)
{% endmacro %}

{#- SQL type of a dlt data type as dlt creates it on DuckDB and Postgres. Timestamps and
    decimals are spelled out: dbt.type_timestamp() has no time zone on Postgres, and dlt's
    decimal default is (38, 9) on both. -#}
{% macro dlt_sql_type(data_type) %}
  {%- set types = {
      'text': dbt.type_string(),
      'bigint': dbt.type_bigint(),
      'bool': dbt.type_boolean(),
      'timestamp': 'timestamp with time zone',
      'decimal': 'decimal(38, 9)',
  } -%}
  {%- if data_type not in types -%}
    {{ exceptions.raise_compiler_error("dlt_sql_type: no SQL type for dlt type '" ~ data_type ~ "'") }}
  {%- endif -%}
  {{ return(types[data_type]) }}
{% endmacro %}

{#- A zero-row subquery with the given columns ({name: dlt type}), typed like dlt's table. -#}
{% macro empty_relation(columns) %}
(
    select
    {%- for name, data_type in columns.items() %}
        cast(null as {{ dlt_sql_type(data_type) }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
)
{% endmacro %}

{#- `relation` when it exists in the warehouse, else an empty row set typed from `columns`:
    dlt creates no table for a resource (or child list) that never had a row, and a tenant
    with no orders yet must still build. Checked at run time only; parsing sees `relation`. -#}
{% macro relation_or_empty(relation, columns) %}
  {%- if execute and adapter.get_relation(database=relation.database, schema=relation.schema,
                                           identifier=relation.identifier) is none -%}
    {{ return(empty_relation(columns)) }}
  {%- endif -%}
  {{ return(relation) }}
{% endmacro %}

{#- Declared columns of a raw dlt table: the source table's `columns` (with `data_type`), or
    for a child table the parent's `meta.dlt_children[child]`, plus dlt's own columns. -#}
{% macro dlt_declared_columns(source_name, table_name, child=none) %}
  {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
  {%- set columns = {} -%}
  {%- if child is none -%}
    {%- for name, column in node.columns.items() -%}
      {%- do columns.update({name: column.data_type}) -%}
    {%- endfor -%}
    {%- do columns.update({'_dlt_load_id': 'text', '_dlt_id': 'text'}) -%}
  {%- else -%}
    {%- do columns.update(node.meta['dlt_children'][child]) -%}
    {%- do columns.update({'_dlt_parent_id': 'text', '_dlt_list_idx': 'bigint', '_dlt_id': 'text'}) -%}
  {%- endif -%}
  {{ return(columns) }}
{% endmacro %}

{#- A raw dlt table of a source, or its empty typed stand-in. Always calls source(), so the
    model keeps its lineage to the ingestion asset. -#}
{% macro raw_table(source_name, table_name) %}
  {%- set relation = source(source_name, table_name) -%}
  {%- if not execute -%}{{ return(relation) }}{%- endif -%}
  {{ return(relation_or_empty(relation, dlt_declared_columns(source_name, table_name))) }}
{% endmacro %}

{#- A dlt child table (e.g. shopify_orders__line_items, or a path such as
    'refunds__refund_line_items'), or its empty typed stand-in. -#}
{% macro raw_child_table(source_name, parent_table, child) %}
  {%- set relation = child_table(source_name, parent_table, child) -%}
  {%- if not execute -%}{{ return(relation) }}{%- endif -%}
  {{ return(relation_or_empty(relation, dlt_declared_columns(source_name, parent_table, child))) }}
{% endmacro %}
