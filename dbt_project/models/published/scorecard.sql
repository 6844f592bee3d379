-- published.scorecard (warehouse.md): one row per LA x indicator x month, dimension 'all', with
-- previous month, same month last year, FYTD, target and RAG, direction of travel and
-- benchmarks (macros/scorecard.sql says how each is worked out). Exact figures: for sharing
-- outside the LA use scorecard_shareable.
{{ scorecard(ref('fct_indicator_values')) }}
