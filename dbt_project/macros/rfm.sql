{#- The RFM segment rule table: one place, used by customer_rfm_segments_at_cutoffs and its unit test.

    Scores are quintiles 1..5 within the tenant at each cutoff (5 = most recent / most orders /
    most spend).
    The segment is read from R and FM = the average of F and M rounded half up, on this grid:

              FM=1          FM=2            FM=3            FM=4       FM=5
      R=5     New           Potential Loyalist              Champions  Champions
      R=4     Promising     Potential Loyalist              Loyal      Loyal
      R=3     About to Sleep About to Sleep Need Attention  Loyal      Loyal
      R=2     Hibernating   Hibernating     At Risk         At Risk    Can't Lose Them
      R=1     Lost          Hibernating     At Risk         At Risk    Can't Lose Them
-#}

{% macro rfm_fm_score(f_score, m_score) -%}
    cast(floor(({{ f_score }} + {{ m_score }} + 1) / 2.0) as integer)
{%- endmacro %}

{% macro rfm_segment(r_score, fm_score) -%}
    case
        when {{ r_score }} = 5 and {{ fm_score }} >= 4 then 'Champions'
        when {{ r_score }} in (3, 4) and {{ fm_score }} >= 4 then 'Loyal'
        when {{ r_score }} in (4, 5) and {{ fm_score }} in (2, 3) then 'Potential Loyalist'
        when {{ r_score }} = 5 and {{ fm_score }} = 1 then 'New'
        when {{ r_score }} = 4 and {{ fm_score }} = 1 then 'Promising'
        when {{ r_score }} = 3 and {{ fm_score }} = 3 then 'Need Attention'
        when {{ r_score }} = 3 and {{ fm_score }} in (1, 2) then 'About to Sleep'
        when {{ r_score }} in (1, 2) and {{ fm_score }} = 5 then 'Can''t Lose Them'
        when {{ r_score }} in (1, 2) and {{ fm_score }} in (3, 4) then 'At Risk'
        when {{ r_score }} = 1 and {{ fm_score }} = 1 then 'Lost'
        when {{ r_score }} in (1, 2) and {{ fm_score }} in (1, 2) then 'Hibernating'
    end
{%- endmacro %}
