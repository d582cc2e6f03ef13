{#- Small cross-database helpers for the profile, feature and mart models (DuckDB and Postgres). -#}

{#- The UTC calendar date of a timestamptz, whatever the session time zone is. -#}
{% macro utc_date(column) -%}
    cast({{ column }} at time zone 'UTC' as date)
{%- endmacro %}

{#- Text ordered byte-wise: Postgres would otherwise sort by its locale, DuckDB by bytes, and
    ties broken by profile_id must fall the same way on both. -#}
{% macro binary_order(column) %}
  {{ return(adapter.dispatch('binary_order')(column)) }}
{% endmacro %}

{% macro default__binary_order(column) %}{{ column }} collate "C"{% endmacro %}

{% macro duckdb__binary_order(column) %}{{ column }}{% endmacro %}

{#- The `reference_date` var as a date literal, or none. Only YYYY-MM-DD is accepted: the
    value is pasted into SQL. -#}
{% macro reference_date_literal() %}
  {%- set value = var('reference_date', none) -%}
  {%- if value is none or value == '' -%}
    {{ return(none) }}
  {%- endif -%}
  {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value | string) -%}
    {{ exceptions.raise_compiler_error("reference_date must be YYYY-MM-DD, got " ~ value) }}
  {%- endif -%}
  {{ return("cast('" ~ value ~ "' as date)") }}
{% endmacro %}

{#- a / b as double precision, null when b is zero (same arithmetic on both warehouses). -#}
{% macro ratio(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif(cast({{ denominator }} as double precision), 0)
{%- endmacro %}

{#- The `feature_cutoff_offsets` var: days before the reference date at which features are also
    computed, deduplicated and sorted, 0 always in (customer_features is the offset-0 slice).
    Anything but a list of non-negative integers is an error: the values are pasted into SQL. -#}
{% macro feature_cutoff_offsets() %}
  {%- set value = var('feature_cutoff_offsets') -%}
  {%- set invalid = [] -%}
  {%- if value is string or value is mapping or value is not iterable -%}
    {%- do invalid.append(value) -%}
  {%- else -%}
    {%- for offset in value if not (offset is integer and offset >= 0) -%}
      {%- do invalid.append(offset) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if invalid -%}
    {{ exceptions.raise_compiler_error(
        "feature_cutoff_offsets must be a list of non-negative integers (days before the reference"
        ~ " date), got " ~ value) }}
  {%- endif -%}
  {{ return(([0] + value | list) | unique | sort) }}
{% endmacro %}

{#- The offsets as rows of one integer column, cutoff_offset_days. -#}
{% macro feature_cutoff_offset_rows() -%}
  {%- for offset in feature_cutoff_offsets() %}
    {% if not loop.first %}union all {% endif %}select cast({{ offset }} as integer) as cutoff_offset_days
  {%- endfor %}
{%- endmacro %}
